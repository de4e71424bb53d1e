import type { DataSource } from 'typeorm';
import { maskStripeRef } from '@tally/budget-domain';
import { createDataSource, runMigrations } from '@tally/persistence';
import { dropSchemas, isolate } from '@tally/testing';
import { PaymentsNameTheRefundTheyRestore1765260000100 } from '../src/migrations/1765260000100-payments-name-the-refund-they-restore.migration';
import { ADMIN_MIGRATIONS } from '../src/migrations/admin.migrations';

/**
 * Payments admin projected before ADR 0175 kept no `restores_refund`: the migration finds the
 * refund a restoration gives back in its id (`topup:<entry>:restored:<refund>`) and masks it
 * as the service masks a reference it reads from payments.events.
 */
describe('upgrading admin: payments projected before ADR 0175 name the refund they restore', () => {
  const isolation = isolate();
  const schema = isolation.schema('admin');
  let dataSource: DataSource;
  const open = async (migrations: typeof ADMIN_MIGRATIONS) => {
    const source = createDataSource({
      config: { url: isolation.databaseUrl, schema, poolSize: 2 },
      applicationName: 'admin-upgrade-test',
      migrations,
    });
    await source.initialize();
    await runMigrations(source);
    return source;
  };
  afterAll(async () => {
    await dataSource?.destroy();
    await dropSchemas(isolation.databaseUrl, [schema]);
  });

  it('masks the refund in the id of each restoration, and leaves every other payment without one', async () => {
    const previous = await open(
      ADMIN_MIGRATIONS.slice(
        0,
        ADMIN_MIGRATIONS.indexOf(PaymentsNameTheRefundTheyRestore1765260000100),
      ),
    );
    const refunds = ['re_3NxYzAbCdEf9xyz', 'pyr_1Qabcdefgh', 'refund0000', 'dp_1'];
    const payments: Array<[string, string]> = [
      ['topup:e1', 'credit_purchased'],
      ['topup:e1:refund:re_3NxYzAbCdEf9xyz', 'credit_refunded'],
      ...refunds.map((refund, n): [string, string] => [
        `topup:e${n}:restored:${refund}`,
        'credit_purchased',
      ]),
      ['topup:e9:restored:', 'credit_purchased'],
    ];
    for (const [id, kind] of payments) {
      await previous.query(
        `INSERT INTO payments (account_id, payment_id, kind, trigger, credit_amount, paid_amount,
           paid_currency, stripe_ref_masked, at)
         VALUES ('acct_upgrade', $1, $2, 'manual', '5', '15', 'CHF', 'cs_...abcd', now())`,
        [id, kind],
      );
    }
    await previous.destroy();

    dataSource = await open(ADMIN_MIGRATIONS);
    const rows: Array<{ payment_id: string; restores: string | null }> = await dataSource.query(
      `SELECT payment_id, restores_refund_masked AS restores FROM payments ORDER BY payment_id COLLATE "C"`,
    );
    const expected = new Map<string, string | null>(payments.map(([id]) => [id, null]));
    refunds.forEach((refund, n) =>
      expected.set(`topup:e${n}:restored:${refund}`, maskStripeRef(refund)),
    );
    expect(rows.map((row) => [row.payment_id, row.restores])).toEqual(
      [...expected].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    expect(
      rows.find((row) => row.payment_id.endsWith('re_3NxYzAbCdEf9xyz') && row.restores)?.restores,
    ).toBe('re_...9xyz');
  });
});
