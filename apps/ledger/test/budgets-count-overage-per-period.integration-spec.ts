import type { DataSource } from 'typeorm';
import { runMigrations } from '@tally/persistence';
import { BudgetsCountOveragePerPeriod1763856003200 } from '../src/migrations/1763856003200-budgets-count-overage-per-period.migration';
import { migrationTestLedger, migrationsAround } from './migrated-ledger';

const { before: BEFORE, upTo: WITH_OVERAGE } = migrationsAround(
  BudgetsCountOveragePerPeriod1763856003200,
);

const budget = (accountId: string, apiKeyId: string) =>
  `INSERT INTO budgets (account_id, api_key_id, period, reset_day, limit_amount, soft_limit_percent, hard_limit,
     overage_limit, rollover_max_percent, prorate, grace_period_hours, active, created_at, period_start, period_end,
     allowance, allowance_remaining, used, rolled_over)
   VALUES ('${accountId}', '${apiKeyId}', 'monthly', 1, 10, 80, true, 5, 0, false, 0, true, '2026-11-01',
     '2026-12-01', '2027-01-01', 10, 0, 12, 0)`;

/** A usage transaction posted at `postedAt` whose lines sent these amounts to overage. */
async function usage(
  dataSource: DataSource,
  accountId: string,
  transactionId: string,
  postedAt: string,
  overages: string[],
): Promise<void> {
  await dataSource.query(
    `INSERT INTO transactions (account_id, transaction_id, kind, source_id, occurred_at, posted_at)
     VALUES ($1, $2, 'usage', $3, $4, $4)`,
    [accountId, transactionId, transactionId, postedAt],
  );
  for (const [index, overage] of overages.entries()) {
    await dataSource.query(
      `INSERT INTO usage_lines (account_id, source_id, transaction_id, usage_id, source, service, provider, model,
         occurred_at, cost, from_allowance, from_credit, to_overage, tokens, markup, discount, charged)
       VALUES ($1, $2, $3, $2, 'test', 'llm', 'openai', 'gpt-4o', $4, $5::numeric, 0, 0, $5::numeric, 0, 0, 0, $5::numeric)`,
      [accountId, `${transactionId}-${index}`, transactionId, postedAt, overage],
    );
  }
}

describe('budgets count their overage per period', () => {
  const ledger = migrationTestLedger();
  const { schema } = ledger;
  let dataSource: DataSource;

  it("starts an account budget's period with the overage its lines posted in it, a key's at 0", async () => {
    const before = await ledger.migrated(BEFORE);
    await before.query(
      `INSERT INTO accounts (account_id, name, opened_by) VALUES ('acct_a', 'a', 'usage'), ('acct_b', 'b', 'usage')`,
    );
    await before.query(budget('acct_a', ''));
    await before.query(budget('acct_a', 'key_a'));
    await before.query(budget('acct_b', ''));
    await usage(before, 'acct_a', '00000000-0000-4000-8000-000000000001', '2026-11-20T00:00:00Z', [
      '2',
    ]);
    await usage(before, 'acct_a', '00000000-0000-4000-8000-000000000002', '2026-12-05T00:00:00Z', [
      '1.5',
      '0.25',
      '0',
    ]);
    await before.destroy();

    dataSource = await ledger.kept(WITH_OVERAGE);
    expect(
      await dataSource.query(
        'SELECT account_id, api_key_id, overage::text AS overage FROM budgets ORDER BY account_id, api_key_id',
      ),
    ).toEqual([
      { account_id: 'acct_a', api_key_id: '', overage: '1.750000000000' },
      { account_id: 'acct_a', api_key_id: 'key_a', overage: '0.000000000000' },
      { account_id: 'acct_b', api_key_id: '', overage: '0.000000000000' },
    ]);
  });

  it('goes back without the column and forward again', async () => {
    await dataSource.undoLastMigration({ transaction: 'each' });
    expect(
      await dataSource.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'budgets' AND column_name = 'overage'`,
        [schema],
      ),
    ).toEqual([]);
    expect(await runMigrations(dataSource)).toEqual(['BudgetsCountOveragePerPeriod1763856003200']);
  });
});
