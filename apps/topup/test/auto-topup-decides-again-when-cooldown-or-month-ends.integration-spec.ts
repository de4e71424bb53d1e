import type { PaymentEvent, TopUpStatusChanged } from '@tally/budget-domain';
import { FakeStripeServer, eventually, queryDatabase } from '@tally/testing';
import { TopUpHarness } from './topup.harness';

/**
 * A refused authorization posts no usage, so an account out of funds sends no new balance:
 * when its cooldown ends or a new month starts, top-up decides its last balance again on its
 * own, charges it at most once, and announces the state that replaces the stale one.
 * Time passes by moving the recorded automatic payments into the past.
 */
describe('auto top-up decides again when the cooldown ends or a new month starts', () => {
  let stripe: FakeStripeServer;
  let topup: TopUpHarness;

  const schema = () => topup.isolation.schema('topup');
  const db = <T>(sql: string, params: unknown[] = []) =>
    queryDatabase<T>(topup.isolation.databaseUrl, sql, params);
  const payments = (account: string) =>
    topup.payments.json<PaymentEvent>().filter((payment) => payment.account_id === account);
  const statuses = (account: string) =>
    topup.statuses.json<TopUpStatusChanged>().filter((status) => status.account_id === account);
  const latestStatus = (account: string) => statuses(account).pop()?.auto_topup;
  const charges = (account: string) =>
    stripe
      .requestsTo('POST', '/v1/payment_intents')
      .filter(
        (request) =>
          (request.params['metadata'] as Record<string, string>)['account_id'] === account,
      );
  const decided = (account: string, sequence: number) =>
    eventually(async () => {
      const [row] = await db<{ last_decision: string | null; last_balance_sequence: string }>(
        `SELECT last_decision, last_balance_sequence::text FROM "${schema()}".auto_topup_settings WHERE account_id = $1`,
        [account],
      );
      expect(row?.last_balance_sequence).toBe(String(sequence));
      return row?.last_decision ?? null;
    });
  const saveCard = async (account: string) => {
    const setup = await topup.send<{ session_id: string }>('topup.create-setup', {
      account_id: account,
    });
    const session = stripe.completeCheckout(setup.session_id);
    await topup.deliver(stripe.event('checkout.session.completed', session));
    await eventually(() => expect(latestStatus(account)?.state).toBe('idle'));
  };
  /** The account's automatic purchases happened `interval` earlier than they did. */
  const movePaymentsBack = (account: string, interval: string) =>
    db(
      `UPDATE "${schema()}".topup_entries SET created_at = created_at - $2::interval,
         settled_at = settled_at - $2::interval WHERE account_id = $1`,
      [account, interval],
    );
  /** The account's automatic purchases happened in the last days of the previous month. */
  const movePaymentsToLastMonth = (account: string) =>
    db(
      `UPDATE "${schema()}".topup_entries SET created_at = date_trunc('month', now()) - interval '2 days',
         settled_at = date_trunc('month', now()) - interval '2 days' WHERE account_id = $1`,
      [account],
    );
  /** What month_auto_paid counts of `paid` paid `agoMs` ago: nothing once that was last month. */
  const thisMonths = (paid: string, agoMs: number) =>
    new Date(Date.now() - agoMs).getUTCMonth() === new Date().getUTCMonth() ? paid : '0.000000';
  /** A first automatic top-up on balance 1, credited, then a balance still under the trigger. */
  const chargedOnceThenStillUnder = async (account: string, nextPercent: number) => {
    await saveCard(account);
    await topup.balance(account, 1, 4);
    await eventually(() => expect(payments(account)).toHaveLength(1));
    await topup.balance(account, 2, nextPercent);
  };

  beforeAll(async () => {
    stripe = await FakeStripeServer.start();
    topup = await new TopUpHarness(stripe, { TOPUP_RECHECK_INTERVAL_MS: '200' }).start();
  });
  afterAll(async () => {
    await topup.stop();
    await stripe.stop();
  });

  it('an account still under its trigger when its cooldown ends is charged once for its last balance', async () => {
    const account = 'acct_cooldown_over';
    await chargedOnceThenStillUnder(account, 3);
    expect(await decided(account, 2)).toBe('cooldown');
    await eventually(() => expect(latestStatus(account)?.state).toBe('cooldown'));

    await movePaymentsBack(account, '24 hours 1 minute');
    await eventually(() => expect(payments(account)).toHaveLength(2));
    expect(charges(account).map((request) => request.idempotencyKey)).toEqual([
      `tally-auto-topup-${account}:1`,
      `tally-auto-topup-${account}:2`,
    ]);
    expect(payments(account)[1]).toMatchObject({
      kind: 'credit_purchased',
      trigger: 'auto',
      credit_amount: '10.000000',
      paid_amount: '30.000000',
      paid_currency: 'CHF',
    });
    expect(await decided(account, 2)).toBe('charged');
    await eventually(() =>
      expect(statuses(account).map((status) => status.auto_topup.state)).toEqual([
        'idle',
        'pending',
        'cooldown',
        'pending',
        'cooldown',
      ]),
    );
    expect(latestStatus(account)?.month_auto_paid).toBe(
      (30 + Number(thisMonths('30', 24 * 3_600_000 + 60_000))).toFixed(6),
    );
    // The new cooldown holds: no third charge on the same balance.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(charges(account)).toHaveLength(2);
  });

  it('an account still under its trigger in a new month is charged once, and no longer named monthly_limit_reached', async () => {
    const account = 'acct_new_month';
    await saveCard(account);
    await topup.send('topup.update-auto-topup', { account_id: account, monthly_limit: '30' });
    await topup.balance(account, 1, 4);
    await eventually(() => expect(payments(account)).toHaveLength(1));
    await topup.balance(account, 2, 2);
    expect(await decided(account, 2)).toBe('monthly_limit_reached');
    await eventually(() =>
      expect(latestStatus(account)).toMatchObject({
        state: 'monthly_limit_reached',
        month_auto_paid: '30.000000',
      }),
    );
    const announcedBefore = statuses(account).length;

    await movePaymentsToLastMonth(account);
    await eventually(() => expect(payments(account)).toHaveLength(2));
    expect(charges(account).map((request) => request.idempotencyKey)).toEqual([
      `tally-auto-topup-${account}:1`,
      `tally-auto-topup-${account}:2`,
    ]);
    expect(await decided(account, 2)).toBe('charged');
    await eventually(() =>
      expect(
        statuses(account)
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
    expect(await decided(above, 2)).toBe('charged');
    const charged = 'acct_cooldown_same_balance';
    await saveCard(charged);
    await topup.balance(charged, 1, 4);
    await eventually(() => expect(payments(charged)).toHaveLength(1));
    await eventually(() => expect(latestStatus(charged)?.state).toBe('cooldown'));
    await eventually(() => expect(latestStatus(above)?.state).toBe('cooldown'));

    await movePaymentsBack(above, '25 hours');
    await movePaymentsBack(charged, '25 hours');
    for (const account of [above, charged]) {
      await eventually(() =>
        expect(latestStatus(account)).toMatchObject({
          state: 'idle',
          cooldown_until: null,
          month_auto_paid: thisMonths('30.000000', 25 * 3_600_000),
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect([charges(above).length, charges(charged).length]).toEqual([1, 1]);
    expect([payments(above).length, payments(charged).length]).toEqual([1, 1]);
  });
});
