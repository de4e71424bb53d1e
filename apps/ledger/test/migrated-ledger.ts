import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@tally/persistence';
import { dropSchemas, isolate } from '@tally/testing';
import { LEDGER_MIGRATIONS } from '../src/migrations/ledger.migrations';

type Migration = (typeof LEDGER_MIGRATIONS)[number];

/**
 * The ledger's migrations before `migration`, and up to it: a migration's test stops there,
 * so later migrations cannot change what it sees.
 */
export function migrationsAround(migration: Migration): { before: Migration[]; upTo: Migration[] } {
  const at = LEDGER_MIGRATIONS.indexOf(migration);
  if (at < 0) throw new Error(`${migration.name} is not one of the ledger's migrations`);
  return { before: LEDGER_MIGRATIONS.slice(0, at), upTo: LEDGER_MIGRATIONS.slice(0, at + 1) };
}

/** The ledger's schema with `migrations` applied, on a data source the test destroys. */
export async function migratedLedger(
  databaseUrl: string,
  schema: string,
  migrations: Migration[],
): Promise<DataSource> {
  const dataSource = createDataSource({
    config: { url: databaseUrl, schema, poolSize: 2 },
    applicationName: 'ledger-migration-test',
    migrations,
  });
  await dataSource.initialize();
  await runMigrations(dataSource);
  return dataSource;
}

/**
 * A migration test's own ledger schema, dropped after its tests with the data source `kept`
 * opened: `migrated` applies migrations on a data source the test destroys itself.
 */
export function migrationTestLedger(): {
  readonly schema: string;
  migrated(migrations: Migration[]): Promise<DataSource>;
  kept(migrations: Migration[]): Promise<DataSource>;
} {
  const isolation = isolate();
  const schema = isolation.schema('ledger');
  let kept: DataSource | undefined;
  afterAll(async () => {
    await kept?.destroy();
    await dropSchemas(isolation.databaseUrl, [schema]);
  });
  const migrated = (migrations: Migration[]) =>
    migratedLedger(isolation.databaseUrl, schema, migrations);
  return {
    schema,
    migrated,
    kept: async (migrations) => (kept = await migrated(migrations)),
  };
}

/** The SQLSTATE a statement fails with, or 'none'. */
export async function failureOf(dataSource: DataSource, sql: string): Promise<string> {
  try {
    await dataSource.query(sql);
    return 'none';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}
