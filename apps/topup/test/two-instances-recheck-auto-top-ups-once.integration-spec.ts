import { eventually } from '@tally/testing';
import { topUpAgainstFakeStripe } from './topup.harness';

/**
 * Two top-up instances, each rechecking every 50 ms the accounts whose announced state ends
 * with time (ADR 0058, ADR 0113): when a cooldown ends, or a month ends, both find the same
 * accounts stale at once. Each account is decided, charged and announced once.
 */
describe('two instances recheck auto top-ups at once', () => {
  const { topup } = topUpAgainstFakeStripe({ TOPUP_RECHECK_INTERVAL_MS: '50' });

  const states = (account: string) =>
    topup
      .statusesOf(account)
      .map((status) => `${status.auto_topup.state} ${status.auto_topup.month_auto_paid}`);
  /** Whether what was paid `agoMs` ago counts in this month's automatic payments. */
  const paidThisMonth = (agoMs: number) =>
    new Date(Date.now() - agoMs).getUTCMonth() === new Date().getUTCMonth();
  const moveEntries = (accounts: string[], createdAt: string) =>
    topup.db(
      `UPDATE "${topup.schema}".topup_entries SET created_at = ${createdAt}, settled_at = ${createdAt}
       WHERE account_id = ANY($1)`,
      [accounts],
    );
  /** A first automatic top-up on balance 1 (30 CHF), then balance 2 at `percent`: cooldown. */
  const inCooldown = async (account: string, percent: number) => {
    await topup.saveCard(account);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('idle'));
    await topup.balance(account, 1, 4);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    await topup.balance(account, 2, percent);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('cooldown'));
  };

  beforeAll(async () => {
    await topup.startInstance();
  });

  it('cooldowns ending for 8 accounts: those still under the trigger are charged once more, the others announced idle once', async () => {
    const under = Array.from({ length: 4 }, (_, i) => `acct_twin_under_${i}`);
    const above = Array.from({ length: 4 }, (_, i) => `acct_twin_above_${i}`);
    for (const account of under) await inCooldown(account, 3);
    for (const account of above) await inCooldown(account, 40);
    await moveEntries([...under, ...above], `now() - interval '25 hours'`);
    // The 30 CHF paid 25 hours ago count this month unless the month began since.
    const paid = paidThisMonth(25 * 3_600_000) ? 30 : 0;
    const month = (more: number) => (paid + more).toFixed(6);
    for (const account of under)
      await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(2), 30_000);
    for (const account of above)
      await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('idle'), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const account of under) {
      expect([account, topup.chargesOf(account).map((request) => request.idempotencyKey)]).toEqual([
        account,
        [`tally-auto-topup-${account}:1`, `tally-auto-topup-${account}:2`],
      ]);
      expect([account, states(account)]).toEqual([
        account,
        [
          'idle 0.000000',
          'pending 0.000000',
          'cooldown 30.000000',
          `pending ${month(0)}`,
          `cooldown ${month(30)}`,
        ],
      ]);
    }
    for (const account of above) {
      expect([account, topup.chargesOf(account).length]).toEqual([account, 1]);
      expect([account, states(account)]).toEqual([
        account,
        ['idle 0.000000', 'pending 0.000000', 'cooldown 30.000000', `idle ${month(0)}`],
      ]);
    }
  });

  it('a month ending for 4 idle accounts: each is announced once with 0 paid this month, nothing charged', async () => {
    const accounts = Array.from({ length: 4 }, (_, i) => `acct_twin_month_${i}`);
    for (const account of accounts) await inCooldown(account, 40);
    await moveEntries(accounts, `now() - interval '25 hours'`);
    for (const account of accounts)
      await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('idle'), 30_000);
    const announced = new Map(accounts.map((account) => [account, states(account).length]));
    await moveEntries(accounts, `date_trunc('month', now()) - interval '2 days'`);
    for (const account of accounts)
      await eventually(
        () => expect(topup.latestStatusOf(account)?.month_auto_paid).toBe('0.000000'),
        30_000,
      );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const account of accounts) {
      expect([account, states(account).slice(announced.get(account))]).toEqual([
        account,
        // Idle since a day that was last month (the 1st of a month), it said 0 already.
        paidThisMonth(25 * 3_600_000) ? ['idle 0.000000'] : [],
      ]);
      expect([account, topup.chargesOf(account).length]).toEqual([account, 1]);
    }
  });
});
