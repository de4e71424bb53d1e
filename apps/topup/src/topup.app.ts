import type { INestApplication } from '@nestjs/common';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import { connectCommandServer } from '@tally/messaging';
import type { TopUpConfig } from './config/topup.config';

/**
 * What top-up adds to its Nest app before it listens: JSON bodies kept as the raw bytes
 * (Stripe signs those bytes; a re-serialised body would not verify), then the command server.
 */
export async function startTopUp(app: INestApplication, config: TopUpConfig): Promise<void> {
  const adapter = app.getHttpAdapter() as FastifyAdapter;
  adapter.useBodyParser(
    'application/json',
    true,
    { bodyLimit: 1024 * 1024 },
    (_request: unknown, body: Buffer, done: (error: null, body: Buffer) => void) =>
      done(null, body),
  );
  await app.init();
  connectCommandServer(app, config.kafka, 'topup-commands');
  await app.startAllMicroservices();
}
