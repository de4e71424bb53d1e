import { eventually } from '@tally/testing';
import { topUpAgainstFakeStripe } from './topup.harness';

/**
 * A refused authorization posts no usage, so an account out of funds sends no new balance:
 * when its cooldown ends or a new month starts, top-up decides its last balance again on its
 * own, charges it at most once, and announces the state that replaces the stale one.
 * Time passes by moving the recorded automatic payments into the past.
 */
describe('auto top-up decides again when the cooldown ends or a new month starts', () => {
  const { topup } = topUpAgainstFakeStripe({ TOPUP_RECHECK_INTERVAL_MS: '200' });

  /** The tenant saves a card (auto top-up on), and the account is announced idle. */
  const saveCardThenIdle = async (account: string) => {
    await topup.saveCard(account);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('idle'));
  };
  /** The account's automatic purchases happened `interval` earlier than they did. */
  const movePaymentsBack = (account: string, interval: string) =>
    topup.db(
      `UPDATE "${topup.schema}".topup_entries SET created_at = created_at - $2::interval,
         settled_at = settled_at - $2::interval WHERE account_id = $1`,
      [account, interval],
    );
  /** The account's automatic purchases happened in the last days of the previous month. */
  const movePaymentsToLastMonth = (account: string) =>
    topup.db(
      `UPDATE "${topup.schema}".topup_entries SET created_at = date_trunc('month', now()) - interval '2 days',
         settled_at = date_trunc('month', now()) - interval '2 days' WHERE account_id = $1`,
      [account],
    );
  /** What month_auto_paid counts of `paid` paid `agoMs` ago: nothing once that was last month. */
  const thisMonths = (paid: string, agoMs: number) =>
    new Date(Date.now() - agoMs).getUTCMonth() === new Date().getUTCMonth() ? paid : '0.000000';
  /** A first automatic top-up on balance 1, credited, then a balance still under the trigger. */
  const chargedOnceThenStillUnder = async (account: string, nextPercent: number) => {
    await saveCardThenIdle(account);
    await topup.balance(account, 1, 4);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    await topup.balance(account, 2, nextPercent);
  };

  it('an account still under its trigger when its cooldown ends is charged once for its last balance', async () => {
    const account = 'acct_cooldown_over';
    await chargedOnceThenStillUnder(account, 3);
    expect(await topup.decided(account, 2)).toBe('cooldown');
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('cooldown'));

    await movePaymentsBack(account, '24 hours 1 minute');
    await topup.boughtThePack(account, 2, [
      `tally-auto-topup-${account}:1`,
      `tally-auto-topup-${account}:2`,
    ]);
    await eventually(() =>
      expect(topup.statusesOf(account).map((status) => status.auto_topup.state)).toEqual([
        'idle',
        'pending',
        'cooldown',
        'pending',
        'cooldown',
      ]),
    );
    expect(topup.latestStatusOf(account)?.month_auto_paid).toBe(
      (30 + Number(thisMonths('30', 24 * 3_600_000 + 60_000))).toFixed(6),
    );
    // The new cooldown holds: no third charge on the same balance.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(topup.chargesOf(account)).toHaveLength(2);
  });

  it('an account still under its trigger in a new month is charged once, and no longer named monthly_limit_reached', async () => {
    const account = 'acct_new_month';
    await saveCardThenIdle(account);
    await topup.send('topup.update-auto-topup', { account_id: account, monthly_limit: '30' });
    await topup.balance(account, 1, 4);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    await topup.balance(account, 2, 2);
    expect(await topup.decided(account, 2)).toBe('monthly_limit_reached');
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        state: 'monthly_limit_reached',
        month_auto_paid: '30.000000',
      }),
    );
    const announcedBefore = topup.statusesOf(account).length;

    await movePaymentsToLastMonth(account);
    await topup.boughtThePack(account, 2, [
      `tally-auto-topup-${account}:1`,
      `tally-auto-topup-${account}:2`,
    ]);
    await eventually(() =>
      expect(
        topup
          .statusesOf(account)
          .slice(announcedBefore)
          .map((status) => [status.auto_topup.state, status.auto_topup.month_auto_paid]),
      ).toEqual([
        ['pending', '0.000000'],
        ['monthly_limit_reached', '30.000000'],
      ]),
    );
  });

  it('an account above its trigger, or already charged for its last balance, is only announced idle', async () => {
    const above = 'acct_cooldown_above';
    await chargedOnceThenStillUnder(above, 40);
    // Above the trigger nothing is decided: the last decision stays the charge.
    expect(await topup.decided(above, 2)).toBe('charged');
    const charged = 'acct_cooldown_same_balance';
    await saveCardThenIdle(charged);
    await topup.balance(charged, 1, 4);
    await eventually(() => expect(topup.paymentsOf(charged)).toHaveLength(1));
    await eventually(() => expect(topup.latestStatusOf(charged)?.state).toBe('cooldown'));
    await eventually(() => expect(topup.latestStatusOf(above)?.state).toBe('cooldown'));

    await movePaymentsBack(above, '25 hours');
    await movePaymentsBack(charged, '25 hours');
    for (const account of [above, charged]) {
      await eventually(() =>
        expect(topup.latestStatusOf(account)).toMatchObject({
          state: 'idle',
          cooldown_until: null,
          month_auto_paid: thisMonths('30.000000', 25 * 3_600_000),
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect([topup.chargesOf(above).length, topup.chargesOf(charged).length]).toEqual([1, 1]);
    expect([topup.paymentsOf(above).length, topup.paymentsOf(charged).length]).toEqual([1, 1]);
  });

  it("an idle account's month_auto_paid is announced 0 when a new month starts, with no charge", async () => {
    const account = 'acct_idle_new_month';
    await chargedOnceThenStillUnder(account, 40);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('cooldown'));
    await movePaymentsBack(account, '25 hours');
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        state: 'idle',
        month_auto_paid: thisMonths('30.000000', 25 * 3_600_000),
      }),
    );

    // The month of the payment ends; the account stays idle and sends no balance.
    await movePaymentsToLastMonth(account);
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        state: 'idle',
        month_auto_paid: '0.000000',
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(topup.chargesOf(account)).toHaveLength(1);
  });
});
