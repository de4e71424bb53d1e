import {
  inRolledBackTransaction,
  migratedSchema,
  recordingManager,
  rowsExamined,
} from '@tally/testing';
import { ADMIN_MIGRATIONS } from '../src/migrations/admin.migrations';
import { TopUpsStore } from '../src/topups/topups.store';
import { TransactionsStore } from '../src/transactions/transactions.store';

/**
 * GET /v1/accounts/:id/payments and /transactions page an account's history newest first. An
 * account busy all year has thousands of payments and hundreds of thousands of transactions: a
 * page reads its own rows in the order it shows them, not the account's whole history sorted,
 * nor every tenant's rows, on each request.
 */
describe("an account's history at volume", () => {
  const admin = migratedSchema('admin', ADMIN_MIGRATIONS);

  it('pages 25,000 payments of one account reading a page of rows, the first page and a later one', async () => {
    await inRolledBackTransaction(admin.dataSource, async (manager) => {
      await manager.query(
        `INSERT INTO payments (account_id, payment_id, kind, trigger, credit_amount, paid_amount,
           paid_currency, stripe_ref_masked, at)
         SELECT CASE WHEN g % 4 = 0 THEN 'acct_busy' ELSE 'acct_' || (g % 500) END, 'pay-' || g,
           'auto_purchase', 'auto', 10, 10, 'USD', NULL,
           timestamptz '2025-12-01T00:00:00Z' + g * interval '5 min'
         FROM generate_series(1, 100000) AS g`,
      );
      await manager.query('ANALYZE payments');
      const { manager: recorded, statements } = recordingManager(manager);
      const payments = new TopUpsStore();

      const first = await payments.listPayments(recorded, 'acct_busy', { limit: 50 });
      const last = first[49]!;
      const second = await payments.listPayments(recorded, 'acct_busy', {
        after: { at: last.at.toISOString(), payment_id: last.payment_id },
        limit: 50,
      });

      expect(first.map((row) => row.payment_id).slice(0, 2)).toEqual(['pay-100000', 'pay-99996']);
      expect(second.map((row) => row.payment_id).slice(0, 2)).toEqual(['pay-99800', 'pay-99796']);
      expect(second).toHaveLength(51);
      // A page and the row that says another follows (the old read took all 25,000 and sorted them).
      for (const statement of statements)
        expect(await rowsExamined(manager, statement, 'payments')).toBeLessThanOrEqual(51);
    });
  }, 20_000);

  it("lists a busy account's 20 purchases among its 40,000 usage transactions reading only those", async () => {
    await inRolledBackTransaction(admin.dataSource, async (manager) => {
      await manager.query(
        `INSERT INTO transactions (account_id, transaction_id, kind, amount, occurred_at, posted_at)
         SELECT CASE WHEN g % 5 < 2 THEN 'acct_busy' ELSE 'acct_' || (g % 500) END, 'tx-' || g,
           CASE WHEN g % 5000 = 0 THEN 'purchase' ELSE 'usage' END, 1, at, at
         FROM generate_series(1, 100000) AS g,
           LATERAL (SELECT timestamptz '2025-12-01T00:00:00Z' + g * interval '5 min' AS at) AS t`,
      );
      await manager.query('ANALYZE transactions');
      const { manager: recorded, statements } = recordingManager(manager);

      const purchases = await new TransactionsStore().list(
        recorded,
        'acct_busy',
        { kind: 'purchase' },
        { limit: 50 },
      );

      expect(purchases.map((row) => row.transaction_id).slice(0, 3)).toEqual([
        'tx-100000',
        'tx-95000',
        'tx-90000',
      ]);
      expect(purchases).toHaveLength(20);
      // The account's purchases (the old read took every tenant's 100,000 rows).
      expect(await rowsExamined(manager, statements[0]!, 'transactions')).toBeLessThanOrEqual(20);
    });
  }, 20_000);
});
