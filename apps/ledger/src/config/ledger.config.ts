import type { DatabaseConfig } from '@tally/persistence';
import { databaseConfigFromEnv } from '@tally/persistence';
import type { KafkaConfig } from '@tally/messaging';
import { kafkaConfigFromEnv } from '@tally/messaging';
import { catalogFileFromEnv, portFromEnv, retentionDays, timerMs } from '@tally/platform';

/** Everything the ledger reads from the environment, validated once at boot. */
export interface LedgerConfig {
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly kafka: KafkaConfig;
  /** How often the books are reconciled in the background (0: only on demand). */
  readonly reconciliationIntervalMs: number;
  /**
   * How often expired holds are swept, and balances whose holds changed announced (0: never; an
   * expired hold frees its funds at its expiry regardless, but no announcement says so).
   */
  readonly holdSweepIntervalMs: number;
  /**
   * Days an ended hold (settled, released, expired) is kept after its expiry, to answer a repeat
   * of its request id; then it is deleted (ADR 0136). Default 7.
   */
  readonly holdRetentionDays: number;
  /** LEDGER_CATALOG_FILE: the catalog file metering rates with (its METERING_CATALOG_FILE), to price model estimates alike. */
  readonly catalogFile?: string;
}

export function ledgerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const catalogFile = catalogFileFromEnv(env, 'LEDGER_CATALOG_FILE');
  return {
    port: portFromEnv(3001, env),
    database: databaseConfigFromEnv('ledger', env),
    kafka: kafkaConfigFromEnv('tally-ledger', env),
    reconciliationIntervalMs: timerMs(env, 'LEDGER_RECONCILIATION_INTERVAL_MS', 300_000, 0),
    holdSweepIntervalMs: timerMs(env, 'LEDGER_HOLD_SWEEP_INTERVAL_MS', 30_000, 0),
    holdRetentionDays: retentionDays(env, 'LEDGER_HOLD_RETENTION_DAYS', 7),
    ...(catalogFile ? { catalogFile } : {}),
  };
}
