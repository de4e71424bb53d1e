import type { INestApplication } from '@nestjs/common';
import { connectCommandServer } from '@tally/messaging';
import { useBearerAuthentication } from '@tally/platform';
import { AccountsService } from './accounts/accounts.service';
import { apiKeyAuthentication } from './authorizations/api-key.guard';
import type { LedgerConfig } from './config/ledger.config';

/**
 * What the ledger adds to its Nest app before it listens: API key authentication at the HTTP
 * edge, and the command server (Kafka request-reply). The app is initialised first, so its
 * topics exist before the server subscribes.
 */
export async function startLedgerCommands(
  app: INestApplication,
  config: LedgerConfig,
): Promise<void> {
  useBearerAuthentication(app, apiKeyAuthentication(app.get(AccountsService)));
  await app.init();
  connectCommandServer(app, config.kafka, 'ledger-commands');
  await app.startAllMicroservices();
}
