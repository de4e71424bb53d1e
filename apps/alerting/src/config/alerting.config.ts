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
import { portFromEnv, switchFromEnv, timerMs, urlFromEnv, wholeNumber } from '@tally/platform';
import { isEmailSender } from './email-address';

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

/** A year of hourly rollups: the longest trailing window an anomaly is measured against. */
const MAX_ANOMALY_WINDOW_HOURS = 8_760;

export function alertingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AlertingConfig {
  const integer = (name: string, fallback: number, min: number, max?: number): number =>
    wholeNumber(env, name, fallback, max === undefined ? { min } : { min, max });
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
    MAX_ANOMALY_WINDOW_HOURS,
  );
  const minHistoryHours = integer(
    'ALERTING_ANOMALY_MIN_HISTORY_HOURS',
    DEFAULT_SPEND_ANOMALY_RULE.minHistoryHours,
    1,
  );
  // The history counted is at most the window: more would never be reached, and never fire.
  if (minHistoryHours > anomalyWindowHours) {
    throw new Error(
      `ALERTING_ANOMALY_MIN_HISTORY_HOURS must not exceed ALERTING_ANOMALY_WINDOW_HOURS (${anomalyWindowHours}): no account would ever be judged, got "${minHistoryHours}"`,
    );
  }
  const factor = decimal('ALERTING_ANOMALY_FACTOR', DEFAULT_SPEND_ANOMALY_RULE.factor);
  if (factor.lessThanOrEqualTo(1)) {
    throw new Error(
      `ALERTING_ANOMALY_FACTOR must be above 1 (an anomaly is an hour far above the trailing mean), got "${env['ALERTING_ANOMALY_FACTOR']}"`,
    );
  }
  const concurrency = integer('ALERTING_DELIVERY_CONCURRENCY', 16, 1);
  const accountConcurrency = integer(
    'ALERTING_DELIVERY_ACCOUNT_CONCURRENCY',
    Math.max(1, Math.floor(concurrency / 4)),
    1,
  );
  if (accountConcurrency > concurrency) {
    throw new Error(
      `ALERTING_DELIVERY_ACCOUNT_CONCURRENCY must not exceed ALERTING_DELIVERY_CONCURRENCY (${concurrency}), got "${accountConcurrency}"`,
    );
  }
  const retryBaseMs = timerMs(env, 'ALERTING_RETRY_BASE_MS', DEFAULT_RETRY_POLICY.baseMs);
  const retryMaxDelayMs = timerMs(
    env,
    'ALERTING_RETRY_MAX_DELAY_MS',
    DEFAULT_RETRY_POLICY.maxDelayMs,
  );
  if (retryBaseMs > retryMaxDelayMs) {
    throw new Error(
      `ALERTING_RETRY_BASE_MS must not exceed ALERTING_RETRY_MAX_DELAY_MS (${retryMaxDelayMs}), got "${retryBaseMs}"`,
    );
  }
  const smtpUrl = env['ALERTING_SMTP_URL'] || undefined;
  if (smtpUrl !== undefined) urlFromEnv('ALERTING_SMTP_URL', smtpUrl, ['smtp', 'smtps']);
  const from = env['ALERTING_EMAIL_FROM'] || 'Tally alerts <alerts@tally.invalid>';
  if (!isEmailSender(from)) {
    throw new Error(
      `ALERTING_EMAIL_FROM must be an address, or a name and <address>, got "${from}"`,
    );
  }
  return {
    port: portFromEnv(3004, env),
    database: databaseConfigFromEnv('alerting', env),
    kafka: kafkaConfigFromEnv('tally-alerting', env),
    delivery: {
      retry: {
        baseMs: retryBaseMs,
        maxDelayMs: retryMaxDelayMs,
        maxAttempts: integer('ALERTING_MAX_ATTEMPTS', DEFAULT_RETRY_POLICY.maxAttempts, 1),
      },
      timeoutMs: timerMs(env, 'ALERTING_DELIVERY_TIMEOUT_MS', 5_000, 100),
      concurrency,
      accountConcurrency,
      pollMs: timerMs(env, 'ALERTING_DELIVERY_POLL_MS', 250, 10),
      blockPrivateUrls: switchFromEnv(env, 'ALERTING_BLOCK_PRIVATE_URLS', false),
    },
    email: {
      ...(smtpUrl ? { smtpUrl } : {}),
      from,
    },
    anomaly: {
      factor,
      minSpend: decimal('ALERTING_ANOMALY_MIN_SPEND', DEFAULT_SPEND_ANOMALY_RULE.minSpend),
      windowHours: anomalyWindowHours,
      minHistoryHours,
    },
    rollupRetentionHours: Math.max(72, anomalyWindowHours * 2),
  };
}
