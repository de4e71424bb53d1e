import type { INestApplication } from '@nestjs/common';
import { connectCommandServer } from '@tally/messaging';
import type { AlertingConfig } from './config/alerting.config';

/**
 * What alerting adds to its Nest app before it listens: the command server (Kafka
 * request-reply). The app is initialised first, so its topics exist before the server subscribes.
 */
export async function startAlertingCommands(
  app: INestApplication,
  config: AlertingConfig,
): Promise<void> {
  await app.init();
  connectCommandServer(app, config.kafka, 'alerting-commands');
  await app.startAllMicroservices();
}
