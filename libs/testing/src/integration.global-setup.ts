import { startTestInfrastructure } from './infrastructure';
import type { TestInfrastructure } from './infrastructure';

declare global {
  var tallyTestInfrastructure: TestInfrastructure | undefined;
}

/** Jest globalSetup of every integration suite: finds (or starts) the real broker and database. */
export default async function integrationGlobalSetup(): Promise<void> {
  const infrastructure = await startTestInfrastructure();
  process.env['KAFKA_BROKERS'] = infrastructure.kafkaBrokers.join(',');
  process.env['DATABASE_URL'] = infrastructure.databaseUrl;
  globalThis.tallyTestInfrastructure = infrastructure;
}
