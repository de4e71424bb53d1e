import type { PaymentEvent, TopUpStatusChanged } from '@tally/budget-domain';
import { FakeStripeServer, eventually, queryDatabase } from '@tally/testing';
import { TopUpHarness } from './topup.harness';

/**
 * An account out of funds posts no usage, so the ledger sends it no new balance: when auto
 * top-up becomes possible while its last balance is under the trigger (turned on, a setup
 * completed), top-up decides that balance at once, and charges it at most once.
 */
describe('auto top-up decides the last balance when it is turned on below the trigger', () => {
  let stripe: FakeStripeServer;
  let topup: TopUpHarness;

  const db = <T>(sql: string, params: unknown[] = []) =>
    queryDatabase<T>(topup.isolation.databaseUrl, sql, params);
  const payments = (account: string) =>
    topup.payments.json<PaymentEvent>().filter((payment) => payment.account_id === account);
  const statuses = (account: string) =>
    topup.statuses.json<TopUpStatusChanged>().filter((status) => status.account_id === account);
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
        `SELECT last_decision, last_balance_sequence::text FROM "${topup.isolation.schema('topup')}".auto_topup_settings WHERE account_id = $1`,
        [account],
      );
      expect(row?.last_balance_sequence).toBe(String(sequence));
      return row?.last_decision ?? null;
    });
  const completeSetup = async (account: string, enable: boolean) => {
    const setup = await topup.send<{ session_id: string }>('topup.create-setup', {
      account_id: account,
      enable_auto_topup: enable,
    });
    const response = await topup.deliver(
      stripe.event('checkout.session.completed', stripe.completeCheckout(setup.session_id)),
    );
    expect(await response.json()).toEqual({ received: true, outcome: 'handled' });
  };
  /** A saved card with auto top-up off, and a balance at 3 % available: refused as disabled. */
  const outOfFundsWithAutoTopUpOff = async (account: string) => {
    await completeSetup(account, false);
    await topup.balance(account, 1, 3);
    expect(await decided(account, 1)).toBe('disabled');
    expect(charges(account)).toHaveLength(0);
  };
  const chargedOnceForBalance1 = async (account: string) => {
    await eventually(() => expect(payments(account)).toHaveLength(1));
    expect(charges(account).map((request) => request.idempotencyKey)).toEqual([
      `tally-auto-topup-${account}:1`,
    ]);
    expect(payments(account)[0]).toMatchObject({
      kind: 'credit_purchased',
      trigger: 'auto',
      credit_amount: '10.000000',
      paid_amount: '30.000000',
      paid_currency: 'CHF',
    });
    expect(await decided(account, 1)).toBe('charged');
    await eventually(() =>
      expect(
        statuses(account).map((status) => [status.auto_topup.enabled, status.auto_topup.state]),
      ).toEqual([
        [false, 'idle'],
        [true, 'pending'],
        [true, 'cooldown'],
      ]),
    );
  };

  beforeAll(async () => {
    stripe = await FakeStripeServer.start();
    topup = await new TopUpHarness(stripe).start();
  });
  afterAll(async () => {
    await topup.stop();
    await stripe.stop();
  });

  it('turning auto top-up on at 3 % available charges the pack once, without a new balance', async () => {
    const account = 'acct_turned_on_below';
    await outOfFundsWithAutoTopUpOff(account);

    const reply = await topup.send<{ enabled: boolean; state: { state: string } }>(
      'topup.update-auto-topup',
      { account_id: account, enabled: true },
    );
    expect(reply).toMatchObject({ enabled: true, state: { state: 'pending' } });
    await chargedOnceForBalance1(account);

    // The same balance is never charged twice, however often it is turned on.
    await topup.send('topup.update-auto-topup', { account_id: account, enabled: false });
    await topup.send('topup.update-auto-topup', { account_id: account, enabled: true });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(charges(account)).toHaveLength(1);
    expect(payments(account)).toHaveLength(1);
  });

  it('a setup completing at 3 % available turns auto top-up on and charges the pack once', async () => {
    const account = 'acct_setup_below';
    await outOfFundsWithAutoTopUpOff(account);

    await completeSetup(account, true);
    await chargedOnceForBalance1(account);
  });

  it('a new card after the charge on the last balance failed charges that balance once more, under a new key', async () => {
    const account = 'acct_declined_then_new_card';
    await completeSetup(account, true);
    stripe.nextPaymentIntents('card_declined');
    await topup.balance(account, 1, 3);
    await eventually(() => expect(payments(account)).toHaveLength(1));
    expect(payments(account)[0]).toMatchObject({ kind: 'credit_failed', trigger: 'auto' });
    await eventually(() => expect(statuses(account).pop()?.auto_topup.state).toBe('paused'));

    // Out of funds, no newer balance comes: the new card is charged for balance 1 at once.
    await completeSetup(account, true);
    await eventually(() => expect(payments(account)).toHaveLength(2));
    expect(payments(account)[1]).toMatchObject({
      kind: 'credit_purchased',
      trigger: 'auto',
      credit_amount: '10.000000',
      paid_amount: '30.000000',
      paid_currency: 'CHF',
    });
    expect(charges(account).map((request) => request.idempotencyKey)).toEqual([
      `tally-auto-topup-${account}:1`,
      `tally-auto-topup-${account}:1:retry-1`,
    ]);
    expect(await decided(account, 1)).toBe('charged');
    await eventually(() =>
      expect(statuses(account).map((status) => status.auto_topup.state)).toEqual([
        'idle',
        'pending',
        'paused',
        'pending',
        'cooldown',
      ]),
    );

    // Charged once: no further change charges balance 1 again.
    await topup.send('topup.update-auto-topup', { account_id: account, enabled: false });
    await topup.send('topup.update-auto-topup', { account_id: account, enabled: true });
    await completeSetup(account, true);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(charges(account)).toHaveLength(2);
    expect(payments(account)).toHaveLength(2);
  });

  it('a first setup after the account ran out of funds, with no settings yet, charges its last balance once', async () => {
    const account = 'acct_first_setup_out_of_funds';
    await topup.balance(account, 1, 40);
    await topup.balance(account, 2, 3);
    // Top-up has nothing to decide yet (no settings): it says nothing, charges nothing.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(statuses(account)).toHaveLength(0);

    await completeSetup(account, true);
    await eventually(() => expect(payments(account)).toHaveLength(1));
    expect(payments(account)[0]).toMatchObject({
      kind: 'credit_purchased',
      trigger: 'auto',
      credit_amount: '10.000000',
      paid_amount: '30.000000',
      paid_currency: 'CHF',
    });
    expect(charges(account).map((request) => request.idempotencyKey)).toEqual([
      `tally-auto-topup-${account}:2`,
    ]);
    expect(await decided(account, 2)).toBe('charged');
    await eventually(() =>
      expect(
        statuses(account).map((status) => [status.auto_topup.enabled, status.auto_topup.state]),
      ).toEqual([
        [true, 'pending'],
        [true, 'cooldown'],
      ]),
    );

    // An older balance arriving late is not newer than the one kept.
    await topup.balance(account, 1, 0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await decided(account, 2)).toBe('charged');
    expect(charges(account)).toHaveLength(1);
  });
});
