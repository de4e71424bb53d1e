import { Logger, Module } from '@nestjs/common';
import type { DynamicModule, INestApplication, LogLevel, Type } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { profileCpuIfAsked } from './cpu-profile';
import { wholeNumber } from './env-values';
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
    // The edge parses JSON itself, within its depth limit. A module that fails to build (the
    // database not up yet) throws to runService, which tries again, instead of exiting at once.
    { bodyParser: false, abortOnError: false, ...(logger ? { logger } : {}) },
  );
  await installHttpEdge(app, config);
  timeHttpRequests(app);
  closeConnectionsWhileDraining(app);
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

export type BeforeListen = (app: INestApplication) => Promise<void>;

const draining = new WeakSet<NestFastifyApplication>();

/**
 * A response sent while the server drains closes its connection: the server's close waits for
 * every connection, and a kept-alive one would hold it for Fastify's 72 s keep-alive timeout.
 */
function closeConnectionsWhileDraining(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (_request, reply, payload, done) => {
      if (draining.has(app)) void reply.header('connection', 'close');
      done(null, payload);
    });
}

/**
 * SIGTERM or SIGINT closes the HTTP server first (new requests 503, taken ones answered), then
 * the app, then raises the signal again. Nest's own hooks ran onModuleDestroy first: admin's
 * command client was closed while requests it had sent waited for their replies.
 */
function closeOnSignals(app: NestFastifyApplication, logger: Logger): void {
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // A second signal while draining is ignored, as Nest's hooks did.
    if (closing) return;
    closing = true;
    void (async () => {
      try {
        draining.add(app);
        await app.getHttpAdapter().close();
        await app.close();
      } catch (error) {
        const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
        logger.error(`shutdown failed: ${reason}`);
        process.exit(1);
      }
      for (const each of signals) process.removeListener(each, onSignal);
      process.kill(process.pid, signal);
    })();
  };
  for (const signal of signals) process.on(signal, onSignal);
}

/**
 * Starts a service: the HTTP port for health, metrics and the service's own API, and a
 * SIGTERM that stops taking requests, answers those taken, then drains consumers and the outbox.
 */
export async function startService(
  module: Type<unknown> | DynamicModule,
  port: number,
  name: string,
  beforeListen?: BeforeListen,
  edge: Partial<HttpEdgeConfig> = {},
): Promise<INestApplication> {
  const app = await createServiceApp(module, undefined, edge);
  try {
    await beforeListen?.(app);
    await app.listen(port, '0.0.0.0');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const logger = new Logger(name);
  closeOnSignals(app, logger);
  logger.log(`${name} listening on :${port}`);
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
  // Read with the service's own configuration: a bad HTTP_* value is refused in one line, not
  // retried as if the start had met a broker not up yet.
  const edgeConfig = configFromEnv(name, () => ({ ...httpEdgeConfigFromEnv(), ...edge }));
  profileCpuIfAsked(name);
  const attempt = async (remaining: number): Promise<void> => {
    try {
      await startService(module, port, name, beforeListen, edgeConfig);
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

/**
 * A service's configuration, or one line naming what is wrong and exit 1: a start that cannot
 * work says so to its supervisor instead of a stack trace, and never runs on a nonsense value.
 */
export function configFromEnv<T>(name: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${name}: configuration refused: ${reason.split('\n')[0]}\n`);
    process.exit(1);
  }
}

/**
 * PORT, from 1 to 65535: 0 would listen on a port the system picks, which no supervisor, probe
 * or load balancer can find.
 */
export function portFromEnv(defaultPort: number, env: NodeJS.ProcessEnv = process.env): number {
  return wholeNumber(env, 'PORT', defaultPort, { min: 1, max: 65_535, unit: 'a TCP port' });
}
