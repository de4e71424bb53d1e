import { Logger } from '@nestjs/common';
import { MigrationExecutor } from 'typeorm';
import type { DataSource } from 'typeorm';

export interface MigrationLockOptions {
  /** How long one statement of a migration waits for a table's lock before it gives up its place. */
  readonly lockTimeoutMs?: number;
  /** The pause after the first attempt that gave up, doubled after each, up to 30 s. */
  readonly retryDelayMs?: number;
  /** Attempts before the runner fails (the instance, or init container, then restarts). */
  readonly attempts?: number;
}

/** SQLSTATE lock_not_available: the lock timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Creates the service's schema and applies pending migrations. Instances of one service
 * starting together serialise on an advisory lock keyed by the schema name, so a migration
 * never runs twice. A migration waits for a table's lock at most `lockTimeoutMs`, then is
 * rolled back and tried again after a pause (ADR 0176): queued behind a long transaction, it
 * would hold up every query of the table that comes after it.
 */
export async function runMigrations(
  dataSource: DataSource,
  options: MigrationLockOptions = {},
): Promise<string[]> {
  const { lockTimeoutMs = 3000, retryDelayMs = 1000, attempts = 30 } = options;
  const schema = schemaOf(dataSource);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // Waiting for another instance's migrations, and a migration itself, may take longer than
    // the statement timeout that bounds requests; the setting goes with the connection's release.
    await runner.query('SET statement_timeout = 0');
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`tally.migrations.${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    // Set once the advisory lock is held: instances wait for each other as long as it takes.
    await runner.query(`SET lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    const applied: string[] = [];
    for (let attempt = 1, delay = retryDelayMs; ; attempt++, delay *= 2) {
      // On the connection holding the lock: with a pool of one (DB_POOL_SIZE=1) TypeORM's own
      // runMigrations waited forever for a second connection.
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      try {
        applied.push(...(await executor.executePendingMigrations()).map((m) => m.name));
        return applied;
      } catch (error) {
        if (!waitedTooLong(error) || attempt >= attempts) throw error;
        new Logger('Migrations').warn(
          `a migration of ${schema} gave up waiting for a lock (attempt ${attempt} of ${attempts}); trying again`,
        );
        await new Promise((resolve) => setTimeout(resolve, Math.min(delay, MAX_RETRY_DELAY_MS)));
      }
    }
  } finally {
    // The connection goes back to the service's pool, whose queries wait for locks as before.
    await runner
      .query('RESET lock_timeout')
      .then(() =>
        runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`tally.migrations.${schema}`]),
      )
      .then(() => runner.query('RESET statement_timeout'))
      .finally(() => runner.release());
  }
}

function waitedTooLong(error: unknown): boolean {
  const { code, driverError } = error as { code?: string; driverError?: { code?: string } };
  return code === LOCK_NOT_AVAILABLE || driverError?.code === LOCK_NOT_AVAILABLE;
}

export function schemaOf(dataSource: DataSource): string {
  const schema = (dataSource.options as { schema?: string }).schema;
  if (!schema) throw new Error('data source has no schema');
  return schema;
}
