import type { DatabaseConfig } from '@tally/persistence';
import { databaseConfigFromEnv } from '@tally/persistence';
import type { KafkaConfig } from '@tally/messaging';
import { kafkaConfigFromEnv } from '@tally/messaging';
import { catalogFileFromEnv, portFromEnv } from '@tally/platform';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_EVENT_AGE_DAYS = 36_500;

/** Everything metering reads from the environment, validated once at boot. */
export interface MeteringConfig {
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly kafka: KafkaConfig;
  readonly rating: {
    /** Events older than this are dead-lettered as time_too_old. */
    readonly maxEventAgeMs: number;
    /** Events stamped further ahead than this are dead-lettered as time_in_future. */
    readonly maxFutureSkewMs: number;
    /** Local catalog entries layered on the default catalog; re-read when the file changes. */
    readonly catalogFile?: string;
  };
}

/**
 * Days metering's outbox keeps a day's partition: its rows are the record of which events were
 * rated (ADR 0041), and an event can be re-sent until it is older than the maximum age (then
 * it is refused as time_too_old). Two days more cover the clocks of node and PostgreSQL.
 */
export function outboxRetentionDays(rating: MeteringConfig['rating']): number {
  return Math.ceil(rating.maxEventAgeMs / DAY_MS) + 2;
}

export function meteringConfigFromEnv(env: NodeJS.ProcessEnv = process.env): MeteringConfig {
  const maxAgeText = env['METERING_MAX_EVENT_AGE_DAYS'] || '35';
  const maxEventAgeDays = Number(maxAgeText);
  // Decimal digits only: Number() takes `Infinity`, `1e400` and `0x10` as well.
  if (
    !/^\d+(\.\d+)?$/.test(maxAgeText) ||
    !(maxEventAgeDays > 0) ||
    maxEventAgeDays > MAX_EVENT_AGE_DAYS
  ) {
    throw new Error(
      `METERING_MAX_EVENT_AGE_DAYS must be a positive number of days up to ${MAX_EVENT_AGE_DAYS} (a century: the outbox keeps that long), got "${maxAgeText}"`,
    );
  }
  const catalogFile = catalogFileFromEnv(env, 'METERING_CATALOG_FILE');
  return {
    port: portFromEnv(3003, env),
    database: databaseConfigFromEnv('metering', env),
    kafka: kafkaConfigFromEnv('tally-metering', env),
    rating: {
      maxEventAgeMs: maxEventAgeDays * DAY_MS,
      maxFutureSkewMs: 5 * 60 * 1000,
      ...(catalogFile ? { catalogFile } : {}),
    },
  };
}
