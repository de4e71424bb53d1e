import { Controller, Get, Header, Inject, Optional } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { metricsRegistry } from './metrics';

/** Checks that a service's broker answers; provided by the messaging module. */
export interface KafkaPing {
  ping(): Promise<void>;
}
export const KAFKA_PING = Symbol('KAFKA_PING');

@Controller()
export class ObservabilityController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Optional() @Inject(KAFKA_PING) private readonly kafka?: KafkaPing,
  ) {}

  /** Liveness and readiness: the process answers, and its database and broker do too. */
  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      async () => {
        const indicator = this.indicators.check('kafka');
        if (!this.kafka) return indicator.up({ configured: false });
        try {
          await withTimeout(this.kafka.ping(), 3000);
          return indicator.up();
        } catch (error) {
          return indicator.down({
            message: error instanceof Error ? error.message : String(error),
          });
        }
      },
    ]);
  }

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
