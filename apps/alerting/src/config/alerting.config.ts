import { Decimal } from 'decimal.js';
import {
  DEFAULT_RETRY_POLICY,
  DEFAULT_SPEND_ANOMALY_RULE,
  isDecimalString,
} from '@tally/budget-domain';
import type { RetryPolicy, SpendAnomalyRule } from '@tally/budget-domain';
import type { DatabaseConfig } from '@tally/persistence';
import { databaseConfigFromEnv } from '@tally/persistence';
import type { KafkaConfig } from '@tally/messaging';
import { kafkaConfigFromEnv } from '@tally/messaging';
import { portFromEnv, timerMs } from '@tally/platform';

/** Everything alerting reads from the environment, validated once at boot. */
export interface AlertingConfig {
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly kafka: KafkaConfig;
  readonly delivery: {
    readonly retry: RetryPolicy;
    /** One attempt (connect, send, answer) may take this long; then it counts as failed. */
    readonly timeoutMs: number;
    /** Attempts in flight per instance; a channel has at most one at a time. */
    readonly concurrency: number;
    /** Attempts in flight for one account, so its silent receivers leave slots to the others. */
    readonly accountConcurrency: number;
    /** How often the delivery worker looks for due deliveries when nothing nudged it. */
    readonly pollMs: number;
    /** Refuse webhook URLs that are or resolve to loopback, private or link-local addresses (SSRF). */
    readonly blockPrivateUrls: boolean;
  };
  readonly email: {
    /** smtp://user:pass@host:port or smtps://…; without it email channels are refused. */
    readonly smtpUrl?: string;
    readonly from: string;
  };
  readonly anomaly: SpendAnomalyRule;
  /** Hourly usage rollups older than this are deleted. */
  readonly rollupRetentionHours: number;
}

export function alertingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AlertingConfig {
  const integer = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
    }
    return value;
  };
  const decimal = (name: string, fallback: Decimal): Decimal => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!isDecimalString(raw) || new Decimal(raw).isNegative()) {
      throw new Error(`${name} must be a non-negative decimal, got "${raw}"`);
    }
    return new Decimal(raw);
  };
  const anomalyWindowHours = integer(
    'ALERTING_ANOMALY_WINDOW_HOURS',
    DEFAULT_SPEND_ANOMALY_RULE.windowHours,
    1,
  );
  const concurrency = integer('ALERTING_DELIVERY_CONCURRENCY', 16, 1);
  return {
    port: portFromEnv(3004, env),
    database: databaseConfigFromEnv('alerting', env),
    kafka: kafkaConfigFromEnv('tally-alerting', env),
    delivery: {
      retry: {
        baseMs: integer('ALERTING_RETRY_BASE_MS', DEFAULT_RETRY_POLICY.baseMs, 1),
        maxDelayMs: integer('ALERTING_RETRY_MAX_DELAY_MS', DEFAULT_RETRY_POLICY.maxDelayMs, 1),
        maxAttempts: integer('ALERTING_MAX_ATTEMPTS', DEFAULT_RETRY_POLICY.maxAttempts, 1),
      },
      timeoutMs: timerMs(env, 'ALERTING_DELIVERY_TIMEOUT_MS', 5_000, 100),
      concurrency,
      accountConcurrency: integer(
        'ALERTING_DELIVERY_ACCOUNT_CONCURRENCY',
        Math.max(1, Math.floor(concurrency / 4)),
        1,
      ),
      pollMs: timerMs(env, 'ALERTING_DELIVERY_POLL_MS', 250, 10),
      blockPrivateUrls: ['1', 'true', 'yes'].includes(
        (env['ALERTING_BLOCK_PRIVATE_URLS'] ?? '').toLowerCase(),
      ),
    },
    email: {
      ...(env['ALERTING_SMTP_URL'] ? { smtpUrl: env['ALERTING_SMTP_URL'] } : {}),
      from: env['ALERTING_EMAIL_FROM'] || 'Tally alerts <alerts@tally.invalid>',
    },
    anomaly: {
      factor: decimal('ALERTING_ANOMALY_FACTOR', DEFAULT_SPEND_ANOMALY_RULE.factor),
      minSpend: decimal('ALERTING_ANOMALY_MIN_SPEND', DEFAULT_SPEND_ANOMALY_RULE.minSpend),
      windowHours: anomalyWindowHours,
      minHistoryHours: integer(
        'ALERTING_ANOMALY_MIN_HISTORY_HOURS',
        DEFAULT_SPEND_ANOMALY_RULE.minHistoryHours,
        1,
      ),
    },
    rollupRetentionHours: Math.max(72, anomalyWindowHours * 2),
  };
}
