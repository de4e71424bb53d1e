import {
  inRolledBackTransaction,
  migratedSchema,
  recordingManager,
  rowsExamined,
} from '@tally/testing';
import { AutoTopUpSettingsStore } from '../src/auto-topup-status/auto-topup-settings.store';
import { TOPUP_MIGRATIONS } from '../src/migrations/topup.migrations';

/**
 * The recheck (ADR 0058, ADR 0113) runs every TOPUP_RECHECK_INTERVAL_MS on every instance and
 * walks the accounts a page at a time. An account announced with automatic payments this month
 * is looked up among its own payments of the month; a page never reads every payment of every
 * account, which a year of automatic top-ups makes large.
 */
describe('auto top-up recheck at volume', () => {
  const topup = migratedSchema('topup', TOPUP_MIGRATIONS);

  it("finds a page's accounts whose month of automatic payments ended reading only their own payments", async () => {
    await inRolledBackTransaction(topup.dataSource, async (manager) => {
      // 5,000 accounts, one in ten announced with automatic payments this month; a year of
      // 100,000 automatic top-ups, every one before this month.
      await manager.query(
        `INSERT INTO auto_topup_settings (account_id, enabled, amount_paid, paid_currency,
           trigger_below_percent, monthly_limit, published_status)
         SELECT 'acct_' || lpad(g::text, 4, '0'), true, 10, 'USD', 20, 100,
           jsonb_build_object('state', 'ok', 'month_auto_paid', CASE WHEN g % 10 = 0 THEN '10.00' ELSE '0' END)
         FROM generate_series(0, 4999) AS g`,
      );
      await manager.query(
        `INSERT INTO topup_entries (account_id, entry_id, kind, trigger, status, credit_amount,
           paid_amount, paid_currency, decision_id, created_at, settled_at)
         SELECT 'acct_' || lpad((g % 5000)::text, 4, '0'), gen_random_uuid(), 'auto_purchase', 'auto',
           'succeeded', 10, 10, 'USD', 'd-' || g, at, at
         FROM generate_series(1, 100000) AS g,
           LATERAL (SELECT timestamptz '2025-12-01T00:00:00Z' + g * interval '4 min' AS at) AS t`,
      );
      await manager.query('ANALYZE auto_topup_settings, topup_entries');
      const { manager: recorded, statements } = recordingManager(manager);

      const page = await new AutoTopUpSettingsStore().timeBound(
        recorded,
        '',
        200,
        new Date('2026-12-01T00:00:00Z'),
      );

      expect(page.map((account) => account.settings.accountId)).toEqual(
        Array.from({ length: 200 }, (_, i) => `acct_${String(i * 10).padStart(4, '0')}`),
      );
      expect(page.every((account) => account.monthAutoPaid.isZero())).toBe(true);
      // At most a look per account of the page (the old one hashed all 100,000 payments).
      expect(await rowsExamined(manager, statements[0]!, 'topup_entries')).toBeLessThanOrEqual(200);
    });
  }, 20_000);
});
