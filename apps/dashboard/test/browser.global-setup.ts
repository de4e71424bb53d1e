import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startTestInfrastructure } from '@tally/testing';
import type { TestInfrastructure } from '@tally/testing';
import { ensureChromium } from './chromium';

declare global {
  var tallyTestInfrastructure: TestInfrastructure | undefined;
}

const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');

/**
 * Jest global setup of the browser tests: the real broker and database (found as every
 * integration suite finds them), Chromium, and the dashboard built from the current source.
 */
export default async function browserGlobalSetup(): Promise<void> {
  const infrastructure = await startTestInfrastructure();
  process.env['KAFKA_BROKERS'] = infrastructure.kafkaBrokers.join(',');
  process.env['DATABASE_URL'] = infrastructure.databaseUrl;
  globalThis.tallyTestInfrastructure = infrastructure;
  ensureChromium();
  execFileSync(process.execPath, ['infra/build-dashboard.js'], {
    cwd: WORKSPACE_ROOT,
    stdio: 'inherit',
  });
}
