import { Logger } from '@nestjs/common';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/**
 * Starts a service: shutdown hooks so SIGTERM drains consumers and the outbox, and the HTTP
 * port for health, metrics and the service's own API.
 */
export type BeforeListen = (app: INestApplication) => Promise<void>;

export async function startService(
  module: Type<unknown> | DynamicModule,
  port: number,
  name: string,
  beforeListen?: BeforeListen,
): Promise<INestApplication> {
  const app = await NestFactory.create(module);
  app.enableShutdownHooks();
  await beforeListen?.(app);
  await app.listen(port, '0.0.0.0');
  new Logger(name).log(`${name} listening on :${port}`);
  return app;
}

/** The entry point of a service process: a failed start exits non-zero, with the reason. */
export function runService(module: Type<unknown> | DynamicModule, port: number, name: string, beforeListen?: BeforeListen): void {
  startService(module, port, name, beforeListen).catch((error: unknown) => {
    new Logger(name).error(`${name} failed to start: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
}

export function portFromEnv(defaultPort: number, env: NodeJS.ProcessEnv = process.env): number {
  const port = Number(env['PORT'] ?? defaultPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a TCP port number, got "${env['PORT']}"`);
  }
  return port;
}
