import { ServiceHarness, queryDatabase } from '@tally/testing';
import { LEDGER_MIGRATIONS } from '../src/migrations/ledger.migrations';

/**
 * A rollout starts several instances on a schema the new version has not migrated yet: they
 * take turns on the migration lock, each migration runs once, and every instance starts.
 */
describe('two ledgers starting at once on a new schema', () => {
  const harness = new ServiceHarness();

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('both start, and each migration is applied once', async () => {
    await Promise.all([harness.startService('ledger'), harness.startService('ledger')]);
    expect(harness.running('ledger')).toHaveLength(2);
    const applied = await queryDatabase<{ name: string; times: number }>(
      harness.isolation.databaseUrl,
      `SELECT name, count(*)::int AS times FROM "${harness.isolation.schema('ledger')}".migrations GROUP BY name ORDER BY name`,
    );
    expect(applied.every((migration) => migration.times === 1)).toBe(true);
    expect(applied).toHaveLength(LEDGER_MIGRATIONS.length);
  });
});
