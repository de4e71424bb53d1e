import { MigrationExecutor } from 'typeorm';
import type { DataSource } from 'typeorm';

/**
 * Creates the service's schema and applies pending migrations. Instances of one service
 * starting together serialise on an advisory lock keyed by the schema name, so a migration
 * never runs twice.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const schema = schemaOf(dataSource);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`tally.migrations.${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    // On the connection holding the lock: with a pool of one (DB_POOL_SIZE=1) TypeORM's own
    // runMigrations waited forever for a second connection.
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const applied = await executor.executePendingMigrations();
    return applied.map((migration) => migration.name);
  } finally {
    await runner
      .query('SELECT pg_advisory_unlock(hashtext($1))', [`tally.migrations.${schema}`])
      .finally(() => runner.release());
  }
}

export function schemaOf(dataSource: DataSource): string {
  const schema = (dataSource.options as { schema?: string }).schema;
  if (!schema) throw new Error('data source has no schema');
  return schema;
}
