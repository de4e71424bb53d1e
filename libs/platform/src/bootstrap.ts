import { Logger, Module } from '@nestjs/common';
import type { DynamicModule, INestApplication, LogLevel, Type } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { profileCpuIfAsked } from './cpu-profile';
import { createEdgeAdapter, installHttpEdge } from './http-edge';
import { httpEdgeConfigFromEnv } from './http-edge.config';
import type { HttpEdgeConfig } from './http-edge.config';
import { HttpEdgeExceptionFilter } from './http-errors';
import { histogram } from './metrics';

/**
 * Route errors no filter of the service catches answer the edge's error body. Imported before
 * the service's module, so Nest registers this global filter first and consults it last: a
 * service's own global filter (the ledger's) still decides for everything it catches.
 */
@Module({ providers: [{ provide: APP_FILTER, useClass: HttpEdgeExceptionFilter }] })
class HttpEdgeModule {}

@Module({})
class ServiceRootModule {}

/**
 * A service's Nest application on Fastify (ADR 0009: less CPU per request than Express),
 * behind the HTTP edge every service shares (ADR 0024: headers, authentication
 * before the body, limits, one error body), with every answered request timed. The edge's
 * limits come from the environment (`httpEdgeConfigFromEnv`) unless `edge` sets them.
 */
export async function createServiceApp(
  module: Type<unknown> | DynamicModule,
  logger?: LogLevel[],
  edge: Partial<HttpEdgeConfig> = {},
): Promise<NestFastifyApplication> {
  const config = { ...httpEdgeConfigFromEnv(), ...edge };
  const app = await NestFactory.create<NestFastifyApplication>(
    { module: ServiceRootModule, imports: [HttpEdgeModule, module] },
    createEdgeAdapter(config),
    // The edge parses JSON itself, within its depth limit.
    { bodyParser: false, ...(logger ? { logger } : {}) },
  );
  await installHttpEdge(app, config);
  timeHttpRequests(app);
  return app;
}

const httpSeconds = histogram(
  'tally_http_request_duration_seconds',
  'Time from a request arriving to its response being sent, in the service',
  ['method', 'route', 'status'],
  [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
);

/** Every answered request, by route pattern (bounded label values; `unmatched` for 404s). */
function timeHttpRequests(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      httpSeconds.observe(
        { method: request.method, route, status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });
}

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
  edge: Partial<HttpEdgeConfig> = {},
): Promise<INestApplication> {
  const app = await createServiceApp(module, undefined, edge);
  app.enableShutdownHooks();
  try {
    await beforeListen?.(app);
    await app.listen(port, '0.0.0.0');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  new Logger(name).log(`${name} listening on :${port}`);
  return app;
}

const START_ATTEMPTS = 5;

/**
 * The entry point of a service process. A start that fails (a broker still electing leaders
 * after a restart, a database not yet up) is retried a few times; then the process exits
 * non-zero with the reason, for its supervisor to restart it.
 */
export function runService(
  module: Type<unknown> | DynamicModule,
  port: number,
  name: string,
  beforeListen?: BeforeListen,
  edge: Partial<HttpEdgeConfig> = {},
): void {
  const logger = new Logger(name);
  profileCpuIfAsked(name);
  const attempt = async (remaining: number): Promise<void> => {
    try {
      await startService(module, port, name, beforeListen, edge);
    } catch (error) {
      const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
      if (remaining <= 1) {
        logger.error(`${name} failed to start: ${reason}`);
        process.exit(1);
      }
      logger.warn(`${name} start failed, retrying in 2 s: ${reason.split('\n')[0]}`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await attempt(remaining - 1);
    }
  };
  void attempt(START_ATTEMPTS);
}

export function portFromEnv(defaultPort: number, env: NodeJS.ProcessEnv = process.env): number {
  const port = Number(env['PORT'] ?? defaultPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a TCP port number, got "${env['PORT']}"`);
  }
  return port;
}
