/*
 * `npm run migrate -- <service>`: applies a service's pending migrations to its schema
 * (DATABASE_URL, DB_SCHEMA), as the service does itself at start.
 */
import { createDataSource, databaseConfigFromEnv, runMigrations } from '@tally/persistence';
import { LEDGER_MIGRATIONS } from '../apps/ledger/src/migrations/ledger.migrations';
import { METERING_MIGRATIONS } from '../apps/metering/src/migrations/metering.migrations';
import { TOPUP_MIGRATIONS } from '../apps/topup/src/migrations/topup.migrations';

const MIGRATIONS = {
  metering: METERING_MIGRATIONS,
  ledger: LEDGER_MIGRATIONS,
  topup: TOPUP_MIGRATIONS,
} as const;

async function main(): Promise<void> {
  const service = process.argv[2] as keyof typeof MIGRATIONS | undefined;
  if (!service || !(service in MIGRATIONS)) {
    throw new Error(`usage: npm run migrate -- <${Object.keys(MIGRATIONS).join('|')}>`);
  }
  const config = databaseConfigFromEnv(service);
  const dataSource = createDataSource({
    config,
    applicationName: `tally-migrate-${service}`,
    migrations: MIGRATIONS[service],
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
