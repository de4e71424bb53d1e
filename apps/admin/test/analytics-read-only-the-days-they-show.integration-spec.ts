import {
  inRolledBackTransaction,
  migratedSchema,
  recordingManager,
  rowsExamined,
} from '@tally/testing';
import { ADMIN_MIGRATIONS } from '../src/migrations/admin.migrations';
import { UsageRollupsStore } from '../src/usage/usage-rollups.store';

/**
 * The top spenders and the spend distribution (GET /v1/analytics/…, default 30 days) read each
 * account's daily rollup of the window. After a year, the rollups hold twelve times as many
 * days: a request reads the window's, not every account's every day.
 */
describe('analytics at volume', () => {
  const admin = migratedSchema('admin', ADMIN_MIGRATIONS);

  it("reads the window's 30 days of 500 accounts, not the year of them", async () => {
    await inRolledBackTransaction(admin.dataSource, async (manager) => {
      await manager.query(
        `INSERT INTO account_daily (account_id, day, cost, tokens, requests)
         SELECT 'acct_' || lpad(a::text, 3, '0'), d::date, a * 0.01, 100, 1
         FROM generate_series(0, 499) AS a,
           generate_series(timestamp '2025-12-01', timestamp '2026-11-30', interval '1 day') AS d`,
      );
      await manager.query('ANALYZE account_daily');
      const { manager: recorded, statements } = recordingManager(manager);
      const rollups = new UsageRollupsStore();

      const top = await rollups.topSpenders(recorded, '2026-11-01', 2);
      const spends = await rollups.spendPerAccount(recorded, '2026-11-01');

      expect(top.map((row) => [row.account_id, row.spend])).toEqual([
        ['acct_499', '149.700000000000'],
        ['acct_498', '149.400000000000'],
      ]);
      expect(spends).toHaveLength(499);
      // The window's 15,000 rows (the old reads took all 182,500 of the year).
      for (const statement of statements)
        expect(await rowsExamined(manager, statement, 'account_daily')).toBeLessThanOrEqual(
          500 * 30,
        );
    });
  }, 20_000);
});
