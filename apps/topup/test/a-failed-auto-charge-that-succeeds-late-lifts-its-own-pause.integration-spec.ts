import { eventually } from '@tally/testing';
import { AUTO_PACK_PURCHASED, topUpAgainstFakeStripe } from './topup.harness';

// payments.events and topup.status-changed are recorded apart, so a payment announced with a
// state may be read after it: what a state implies of the payments is waited for.

/**
 * An automatic charge recorded failed (auto top-up paused) that Stripe later reports succeeded
 * (3-D Secure completed, a delayed debit): credited once, counted in the month's automatic
 * payments, and the pause this very failure caused is lifted (ADR 0145); a pause something
 * else caused stays. A success and a failure of one PaymentIntent, in either order, credit once.
 */
describe('a failed automatic charge that succeeds late', () => {
  const { stripe, topup } = topUpAgainstFakeStripe();

  /** The account's automatic charges as payments.events announced them: kind, credit, paid. */
  const announced = (account: string) =>
    topup.paymentFieldsOf(account, 'kind', 'trigger', 'credit_amount', 'paid_amount');

  /**
   * The PaymentIntent of the account's first automatic charge. Its pending state is announced
   * before the charge is made, so the id is waited for.
   */
  const firstPaymentIntent = (account: string): Promise<string> =>
    eventually(async () => {
      const [row] = await topup.db<{ payment_intent_id: string }>(
        `SELECT payment_intent_id FROM "${topup.schema}".topup_entries
         WHERE account_id = $1 AND payment_intent_id IS NOT NULL ORDER BY created_at LIMIT 1`,
        [account],
      );
      expect(row?.payment_intent_id).toMatch(/^pi_/);
      return row?.payment_intent_id ?? '';
    });

  it('a charge that required action and was then completed: credited once, counted this month, and auto top-up runs again', async () => {
    const account = 'acct_late_after_action';
    await topup.saveCard(account);
    stripe.nextPaymentIntents('requires_action');
    await topup.balance(account, 1, 4);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('paused'));
    await eventually(() =>
      expect(announced(account)).toEqual([['credit_failed', 'auto', '0.000000', '30.000000']]),
    );

    // The customer completes 3-D Secure: Stripe reports the PaymentIntent succeeded, twice.
    const paymentIntentId = await firstPaymentIntent(account);
    const succeeded = stripe.event(
      'payment_intent.succeeded',
      stripe.succeedPaymentIntent(paymentIntentId),
    );
    expect(await (await topup.deliver(succeeded)).json()).toEqual({
      received: true,
      outcome: 'handled',
    });
    expect(await (await topup.deliver(succeeded)).json()).toEqual({
      received: true,
      outcome: 'duplicate',
    });
    // Another event of the same success (Stripe's own retry under a new id) credits nothing more.
    await topup.deliver(stripe.event('payment_intent.succeeded', stripe.object(paymentIntentId)));

    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        enabled: true,
        state: 'cooldown',
        month_auto_paid: '30.000000',
      }),
    );
    await eventually(() =>
      expect(announced(account)).toEqual([
        ['credit_failed', 'auto', '0.000000', '30.000000'],
        ['credit_purchased', 'auto', '10.000000', '30.000000'],
      ]),
    );
    expect(topup.paymentsOf(account)[1]).toMatchObject({
      ...AUTO_PACK_PURCHASED,
      stripe_ref: paymentIntentId,
    });
    const history = await topup.historyOf(account);
    expect(history.items).toEqual([
      expect.objectContaining({
        kind: 'auto_purchase',
        trigger: 'auto',
        status: 'succeeded',
        credit_amount: '10.000000',
        paid_amount: '30.000000',
      }),
    ]);
    // Not paused any more: the next balance below the trigger meets the cooldown, not the pause.
    await topup.balance(account, 2, 3);
    expect(await topup.decided(account, 2)).toBe('cooldown');
    expect(topup.chargesOf(account)).toHaveLength(1);
  });

  it('a pause caused by a later failure stays when the earlier failed charge succeeds late', async () => {
    const account = 'acct_late_after_a_later_failure';
    await topup.saveCard(account);
    stripe.nextPaymentIntents('requires_action');
    await topup.balance(account, 1, 4);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('paused'));
    const first = await firstPaymentIntent(account);

    // A new card ends that pause and charges the last balance again; that charge is declined.
    stripe.nextPaymentIntents('card_declined');
    await topup.saveCard(account);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(2));
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('paused'));

    await topup.deliver(
      stripe.event('payment_intent.succeeded', stripe.succeedPaymentIntent(first)),
    );
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(3));
    expect(announced(account)).toEqual([
      ['credit_failed', 'auto', '0.000000', '30.000000'],
      ['credit_failed', 'auto', '0.000000', '30.000000'],
      ['credit_purchased', 'auto', '10.000000', '30.000000'],
    ]);
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        state: 'paused',
        month_auto_paid: '30.000000',
      }),
    );
    await topup.balance(account, 2, 3);
    expect(await topup.decided(account, 2)).toBe('paused');
    expect(topup.chargesOf(account)).toHaveLength(2);
  });

  it('turned off after the failure, auto top-up stays off when the charge succeeds late', async () => {
    const account = 'acct_late_after_turned_off';
    await topup.saveCard(account);
    stripe.nextPaymentIntents('requires_action');
    await topup.balance(account, 1, 4);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('paused'));
    await topup.send('topup.update-auto-topup', { account_id: account, enabled: false });
    await eventually(() => expect(topup.latestStatusOf(account)?.enabled).toBe(false));

    const paymentIntentId = await firstPaymentIntent(account);
    await topup.deliver(
      stripe.event('payment_intent.succeeded', stripe.succeedPaymentIntent(paymentIntentId)),
    );
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(2));
    expect(topup.paymentsOf(account)[1]).toMatchObject(AUTO_PACK_PURCHASED);
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        enabled: false,
        month_auto_paid: '30.000000',
      }),
    );
    await topup.balance(account, 2, 3);
    expect(await topup.decided(account, 2)).toBe('disabled');
    expect((await topup.autoTopUpSettings(account)).enabled).toBe(false);
  });

  it.each([
    ['failure first', ['payment_intent.payment_failed', 'payment_intent.succeeded']],
    ['success first', ['payment_intent.succeeded', 'payment_intent.payment_failed']],
    ['both at once', []],
  ] as const)(
    "a processing charge's failure and success, %s: credited once and never left paused",
    async (name, order) => {
      const account = `acct_race_${name.replace(/ /g, '_')}`;
      await topup.saveCard(account);
      stripe.nextPaymentIntents('processing');
      await topup.balance(account, 1, 4);
      await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('pending'));
      const paymentIntentId = await firstPaymentIntent(account);
      const failed = stripe.event(
        'payment_intent.payment_failed',
        stripe.failPaymentIntent(paymentIntentId),
      );
      const succeeded = stripe.event(
        'payment_intent.succeeded',
        stripe.succeedPaymentIntent(paymentIntentId),
      );
      const byType = (type: string) => (type === 'payment_intent.succeeded' ? succeeded : failed);
      if (order.length === 0) {
        const responses = await Promise.all([topup.deliver(failed), topup.deliver(succeeded)]);
        expect(responses.map((response) => response.status)).toEqual([200, 200]);
      } else {
        for (const type of order) expect((await topup.deliver(byType(type))).status).toBe(200);
      }
      // Redelivered, in the other order: nothing more.
      await topup.deliver(succeeded);
      await topup.deliver(failed);

      await eventually(() =>
        expect(topup.latestStatusOf(account)).toMatchObject({
          state: 'cooldown',
          month_auto_paid: '30.000000',
        }),
      );
      await eventually(() =>
        expect(
          topup.paymentsOf(account).filter((payment) => payment.kind === 'credit_purchased'),
        ).toEqual([expect.objectContaining(AUTO_PACK_PURCHASED)]),
      );
      const failures = topup
        .paymentsOf(account)
        .filter((payment) => payment.kind === 'credit_failed');
      expect(failures.length).toBeLessThanOrEqual(1);
      if (name === 'success first') expect(failures).toEqual([]);
      if (name === 'failure first') expect(failures).toHaveLength(1);
      const [entry] = await topup.db<{ status: string; kind: string; credit_amount: string }>(
        `SELECT status, kind, credit_amount::text FROM "${topup.schema}".topup_entries WHERE account_id = $1`,
        [account],
      );
      expect(entry).toEqual({
        status: 'succeeded',
        kind: 'auto_purchase',
        credit_amount: '10.000000000000',
      });
      await topup.balance(account, 2, 3);
      expect(await topup.decided(account, 2)).toBe('cooldown');
    },
  );
  it('a charge top-up gave up on (no answer, nor to the lookup) that Stripe had made: its late success credits it and lifts the pause', async () => {
    const account = 'acct_late_after_giving_up';
    await topup.lostChargeAtItsLastAttempt(account);
    // The last attempt and the lookup of what the first made both meet a Stripe error.
    stripe.failNext(2);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('paused'), 20_000);
    await eventually(() =>
      expect(announced(account)).toEqual([['credit_failed', 'auto', '0.000000', '30.000000']]),
    );

    const [made] = stripe
      .objectsOf<{ id: string; metadata: Record<string, string>; status: string }>('payment_intent')
      .filter((paymentIntent) => paymentIntent.metadata['account_id'] === account);
    expect(made?.status).toBe('succeeded');
    await topup.deliver(stripe.event('payment_intent.succeeded', stripe.object(made?.id ?? '')));
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        state: 'cooldown',
        month_auto_paid: '30.000000',
      }),
    );
    await eventually(() =>
      expect(announced(account)).toEqual([
        ['credit_failed', 'auto', '0.000000', '30.000000'],
        ['credit_purchased', 'auto', '10.000000', '30.000000'],
      ]),
    );
  });
});
