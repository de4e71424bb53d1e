import type { INestApplication } from '@nestjs/common';
import { connectCommandServer } from '@tally/messaging';
import type { TopUpConfig } from './config/topup.config';

/**
 * What top-up adds to its Nest app before it listens: the command server. (Webhooks read the
 * raw body the HTTP edge keeps beside the parsed one: Stripe signs those bytes.)
 */
export async function startTopUp(app: INestApplication, config: TopUpConfig): Promise<void> {
  await app.init();
  connectCommandServer(app, config.kafka, 'topup-commands');
  await app.startAllMicroservices();
}
