import type { INestApplication } from '@nestjs/common';
import { connectCommandServer } from '@tally/messaging';
import type { LedgerConfig } from './config/ledger.config';

/**
 * What the ledger adds to its Nest app before it listens: the command server (Kafka
 * request-reply). The app is initialised first, so its topics exist before the server subscribes.
 */
export async function startLedgerCommands(
  app: INestApplication,
  config: LedgerConfig,
): Promise<void> {
  await app.init();
  connectCommandServer(app, config.kafka, 'ledger-commands');
  await app.startAllMicroservices();
}
