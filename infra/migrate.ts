/*
 * `npm run migrate -- <service>` (or `node dist/infra/migrate.js <service>`, the Kubernetes
 * init container): applies a service's pending migrations to its schema (DATABASE_URL,
 * DB_SCHEMA), as the service does itself at start, under the same advisory lock. A service's
 * migrations are the array exported by apps/<service>/src/migrations/<service>.migrations.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createDataSource, databaseConfigFromEnv, runMigrations } from '@tally/persistence';

type Migrations = NonNullable<Parameters<typeof createDataSource>[0]['migrations']>;

function migrationsOf(service: string): Migrations {
  const relative = `apps/${service}/src/migrations/${service}.migrations`;
  const file = path.join(__dirname, '..', relative);
  const found =
    /^[a-z][a-z-]*$/.test(service) && ['.ts', '.js'].some((ext) => existsSync(file + ext));
  if (!found) throw new Error(`usage: npm run migrate -- <service>; no ${relative} found`);
  const exported = Object.values(require(file) as Record<string, unknown>).filter(Array.isArray);
  if (exported.length !== 1) throw new Error(`${file} must export exactly one array of migrations`);
  return exported[0] as Migrations;
}

async function main(): Promise<void> {
  const service = process.argv[2] ?? '';
  const migrations = migrationsOf(service);
  const config = databaseConfigFromEnv(service);
  const dataSource = createDataSource({
    config,
    applicationName: `tally-migrate-${service}`,
    migrations,
  });
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    console.log(
      `${service} (schema ${config.schema}): ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`,
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
