import { Decimal } from 'decimal.js';
import { eventually, scrapeMetrics } from '@tally/testing';
import { AUTO_PACK_PURCHASED, topUpAgainstFakeStripe } from './topup.harness';

/**
 * Automatic top-up on ledger.balance-changed, against a fake Stripe: one off-session
 * PaymentIntent per decision, every refusal a distinct recorded reason in DESIGN 4's order,
 * a pause after a failed or action-requiring charge, and one charge per decision however
 * often the call is retried.
 */
describe('auto top-up decides once per trigger and charges once per decision', () => {
  const { stripe, topup } = topUpAgainstFakeStripe();

  const decisionsCounted = async () => {
    const metrics = await scrapeMetrics(topup.url);
    return (name: string) =>
      metrics.get(`tally_topup_auto_topup_decisions_total{decision="${name}"}`) ?? 0;
  };

  it('below the trigger: one off-session PaymentIntent for the pack, credited; then cooldown, and older balances change nothing', async () => {
    const account = 'acct_auto';
    const card = await topup.saveCard(account);
    expect(await topup.autoTopUpSettings(account)).toEqual({
      enabled: true,
      amount_paid: '30.000000',
      paid_currency: 'CHF',
      credit_amount: '10.000000',
      trigger_below_percent: 5,
      monthly_limit: '300.000000',
      customer: `cus_...${card.customer.slice(-4)}`,
      payment_method: `pm_...${card.payment_method.slice(-4)}`,
      state: {
        enabled: true,
        state: 'idle',
        pending_since: null,
        cooldown_until: null,
        month_auto_paid: '0.000000',
        monthly_limit: '300.000000',
        paid_currency: 'CHF',
      },
    });
    const before = await decisionsCounted();

    await topup.balance(account, 1, 50);
    expect(await topup.decided(account, 1)).toBeNull();
    expect(topup.chargesOf(account)).toHaveLength(0);

    await topup.balance(account, 2, 4);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    expect(topup.chargesOf(account)).toHaveLength(1);
    expect(topup.chargesOf(account)[0]).toMatchObject({
      idempotencyKey: `tally-auto-topup-${account}:2`,
      params: {
        amount: '3000',
        currency: 'chf',
        customer: card.customer,
        payment_method: card.payment_method,
        off_session: 'true',
        confirm: 'true',
        metadata: {
          account_id: account,
          trigger: 'auto',
          credit_amount: '10.000000',
          paid_amount: '30.000000',
          paid_currency: 'CHF',
          decision_id: `${account}:2`,
        },
      },
    });
    expect(topup.paymentsOf(account)[0]).toMatchObject(AUTO_PACK_PURCHASED);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('cooldown'));
    expect(
      topup.statusesOf(account).map((status) => [status.sequence, status.auto_topup.state]),
    ).toEqual([
      [1, 'idle'],
      [2, 'pending'],
      [3, 'cooldown'],
    ]);
    expect(topup.statusesOf(account)[2]?.auto_topup.month_auto_paid).toBe('30.000000');
    // DESIGN 2: every topic is keyed by the account id.
    const keysOf = (recorder: typeof topup.payments) =>
      recorder.messages
        .filter((m) => m.value?.includes(`"account_id":"${account}"`))
        .map((m) => m.key);
    expect(keysOf(topup.payments)).toEqual(topup.paymentsOf(account).map(() => account));
    expect(keysOf(topup.statuses)).toEqual(topup.statusesOf(account).map(() => account));

    await topup.balance(account, 3, 3);
    expect(await topup.decided(account, 3)).toBe('cooldown');
    // A newer state first, then an older one (a record never seen, with a lower sequence).
    await topup.balance(account, 10, 40);
    await topup.balance(account, 9, 1);
    await topup.balance(account, 11, 45);
    expect(await topup.decided(account, 11)).toBe('cooldown');
    expect(topup.chargesOf(account)).toHaveLength(1);
    const after = await decisionsCounted();
    expect([after('charged') - before('charged'), after('cooldown') - before('cooldown')]).toEqual([
      1, 1,
    ]);
    const history = await topup.historyOf(account);
    expect(history.items).toEqual([
      expect.objectContaining({
        kind: 'auto_purchase',
        trigger: 'auto',
        status: 'succeeded',
        credit_amount: '10.000000',
        paid_amount: '30.000000',
        stripe_ref: expect.stringMatching(/^pi_\.\.\.\w{4}$/) as string,
      }),
    ]);
  });

  it('two balance changes under the trigger in a row make one PaymentIntent; a processing one stays pending until its webhook', async () => {
    const account = 'acct_processing';
    await topup.saveCard(account);
    stripe.nextPaymentIntents('processing');
    await topup.balance(account, 1, 4);
    await topup.balance(account, 2, 3);
    expect(await topup.decided(account, 2)).toBe('pending');
    expect(topup.chargesOf(account)).toHaveLength(1);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('pending'));
    expect(topup.paymentsOf(account)).toHaveLength(0);

    const [paymentIntentId] = (
      await topup.db<{ payment_intent_id: string }>(
        `SELECT payment_intent_id FROM "${topup.schema}".topup_entries WHERE account_id = $1`,
        [account],
      )
    ).map((row) => row.payment_intent_id);
    const succeeded = stripe.event(
      'payment_intent.succeeded',
      stripe.succeedPaymentIntent(paymentIntentId!),
    );
    await topup.deliver(succeeded);
    await topup.deliver(succeeded);
    await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('cooldown'));
    expect(topup.paymentFieldsOf(account, 'kind', 'credit_amount')).toEqual([
      ['credit_purchased', '10.000000'],
    ]);
    expect(topup.chargesOf(account)).toHaveLength(1);
  });

  it.each(['card_declined', 'requires_action', 'authentication_required'] as const)(
    'a %s charge pauses auto top-up, records a failed entry and says so; a new card ends the pause and charges the last balance',
    async (outcome) => {
      const account = `acct_${outcome}`;
      await topup.saveCard(account);
      stripe.nextPaymentIntents(outcome);
      await topup.balance(account, 1, 4);
      await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
      expect(topup.paymentsOf(account)[0]).toMatchObject({
        kind: 'credit_failed',
        trigger: 'auto',
        credit_amount: '0.000000',
        paid_amount: '30.000000',
        paid_currency: 'CHF',
        stripe_ref: expect.stringMatching(/^pi_/) as string,
      });
      await eventually(() => expect(topup.latestStatusOf(account)?.state).toBe('paused'));
      const history = await topup.historyOf(account);
      expect(history.items).toEqual([
        expect.objectContaining({
          kind: 'failed',
          trigger: 'auto',
          status: 'failed',
          credit_amount: '0.000000',
          paid_amount: '30.000000',
        }),
      ]);
      await topup.balance(account, 2, 3);
      expect(await topup.decided(account, 2)).toBe('paused');
      expect(topup.chargesOf(account)).toHaveLength(1);

      // Out of funds, the account gets no newer balance: the new card charges the last one.
      const announcedBefore = topup.statusesOf(account).length;
      await topup.saveCard(account);
      await topup.boughtThePack(account, 2, [
        `tally-auto-topup-${account}:1`,
        `tally-auto-topup-${account}:2`,
      ]);
      await eventually(() =>
        expect(
          topup
            .statusesOf(account)
            .slice(announcedBefore)
            .map((status) => status.auto_topup.state),
        ).toEqual(['pending', 'cooldown']),
      );
      await topup.balance(account, 3, 2);
      expect(await topup.decided(account, 3)).toBe('cooldown');
      expect(topup.chargesOf(account)).toHaveLength(2);
    },
  );

  it("the monthly automatic limit counts this month's automatic charges only, never manual ones", async () => {
    const account = 'acct_monthly';
    await topup.saveCard(account);
    expect(
      await topup.send('topup.update-auto-topup', { account_id: account, monthly_limit: '30' }),
    ).toMatchObject({ monthly_limit: '30.000000', enabled: true });
    const manual = await topup.send<{ session_id: string }>('topup.create-checkout', {
      account_id: account,
      amount_paid: '90',
    });
    await topup.deliver(
      stripe.event('checkout.session.completed', stripe.completeCheckout(manual.session_id)),
    );
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));

    await topup.balance(account, 1, 4);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(2));
    expect(topup.paymentsOf(account)[1]).toMatchObject({
      kind: 'credit_purchased',
      trigger: 'auto',
    });
    await topup.balance(account, 2, 3);
    expect(await topup.decided(account, 2)).toBe('monthly_limit_reached');
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        state: 'monthly_limit_reached',
        month_auto_paid: '30.000000',
        monthly_limit: '30.000000',
      }),
    );
    expect(topup.chargesOf(account)).toHaveLength(1);
  });

  it('refuses with disabled, and with no payment method (never saved, or detached by Stripe)', async () => {
    const before = await decisionsCounted();
    await topup.saveCard('acct_off', { enable: false });
    expect(await topup.autoTopUpSettings('acct_off')).toMatchObject({
      enabled: false,
      state: { state: 'idle' },
    });
    await topup.balance('acct_off', 1, 0);
    expect(await topup.decided('acct_off', 1)).toBe('disabled');

    // Enabling needs a saved card; the refusal changes nothing.
    expect(
      await topup.send('topup.update-auto-topup', { account_id: 'acct_no_card', enabled: true }),
    ).toMatchObject({ error_code: 'AUTO_TOPUP_NO_PAYMENT_METHOD' });
    expect(await topup.autoTopUpSettings('acct_no_card')).toMatchObject({
      enabled: false,
      customer: null,
      payment_method: null,
    });

    const card = await topup.saveCard('acct_detached');
    await topup.deliver(
      stripe.event('payment_method.detached', {
        id: card.payment_method,
        object: 'payment_method',
        customer: null,
      }),
    );
    await eventually(() =>
      expect(topup.latestStatusOf('acct_detached')?.state).toBe('no_payment_method'),
    );
    await topup.balance('acct_detached', 1, 2);
    expect(await topup.decided('acct_detached', 1)).toBe('no_payment_method');
    expect([...topup.chargesOf('acct_off'), ...topup.chargesOf('acct_detached')]).toHaveLength(0);
    const after = await decisionsCounted();
    expect(after('disabled') - before('disabled')).toBe(1);
    expect(after('no_payment_method') - before('no_payment_method')).toBe(1);

    // Disabling keeps the saved card; enabling again works without a new setup.
    expect(
      await topup.send('topup.update-auto-topup', { account_id: 'acct_off', enabled: true }),
    ).toMatchObject({
      enabled: true,
      payment_method: expect.stringMatching(/^pm_\.\.\./) as string,
    });
  });

  it('a charge whose answer was lost, or that met a server error, is retried with the same key and charges once', async () => {
    const dropped = 'acct_lost_answer';
    await topup.saveCard(dropped);
    stripe.dropNextResponses(1);
    await topup.balance(dropped, 7, 4);
    await eventually(() => expect(topup.paymentsOf(dropped)).toHaveLength(1), 20_000);
    expect(topup.chargesOf(dropped).map((request) => request.idempotencyKey)).toEqual([
      `tally-auto-topup-${dropped}:7`,
      `tally-auto-topup-${dropped}:7`,
    ]);
    expect(topup.paymentsOf(dropped)[0]).toMatchObject({
      kind: 'credit_purchased',
      trigger: 'auto',
    });

    const failed = 'acct_server_error';
    await topup.saveCard(failed);
    stripe.failNext(1);
    await topup.balance(failed, 3, 1);
    await eventually(() => expect(topup.paymentsOf(failed)).toHaveLength(1), 20_000);
    expect(topup.chargesOf(failed).map((request) => request.idempotencyKey)).toEqual([
      `tally-auto-topup-${failed}:3`,
      `tally-auto-topup-${failed}:3`,
    ]);
    const created = await topup.db<{ payment_intent_id: string }>(
      `SELECT payment_intent_id FROM "${topup.schema}".topup_entries WHERE account_id = ANY($1)`,
      [[dropped, failed]],
    );
    expect(new Set(created.map((row) => row.payment_intent_id)).size).toBe(2);
  });

  it('a card removed, or replaced, while a charge whose answer was lost waits for its retry: the PaymentIntent Stripe made is credited, never failed nor made again', async () => {
    const madeFor = (account: string) =>
      stripe
        .objectsOf<{ metadata: Record<string, string>; status: string }>('payment_intent')
        .filter((paymentIntent) => paymentIntent.metadata['account_id'] === account)
        .map((paymentIntent) => paymentIntent.status);
    const removed = 'acct_card_removed_mid_charge';
    const replaced = 'acct_card_replaced_mid_charge';
    for (const account of [removed, replaced]) {
      const card = await topup.saveCard(account);
      // The client's own retry of a lost answer is lost too: top-up tries again in 2 s.
      stripe.dropNextResponses(2);
      await topup.balance(account, 5, 4);
      // The first attempt reached Stripe, which charged the card; its answers were lost.
      await eventually(() => expect(topup.chargesOf(account)).toHaveLength(2));
      if (account === removed) {
        const detached = await topup.deliver(
          stripe.event('payment_method.detached', {
            id: card.payment_method,
            object: 'payment_method',
            customer: null,
          }),
        );
        expect(detached.status).toBe(200);
      } else {
        await topup.saveCard(account);
      }
      await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1), 20_000);
      expect(topup.paymentsOf(account)[0]).toMatchObject(AUTO_PACK_PURCHASED);
      expect(madeFor(account)).toEqual(['succeeded']);
    }
    // A new card for the removed one charges nothing more: that balance was paid for.
    await topup.saveCard(removed);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(madeFor(removed)).toEqual(['succeeded']);
    expect(topup.paymentsOf(removed)).toHaveLength(1);
  });

  it("a charge whose last attempt gets no answer either is looked up before it is failed: Stripe's PaymentIntent is credited", async () => {
    const account = 'acct_last_attempt_lost';
    await topup.lostChargeAtItsLastAttempt(account);
    stripe.dropNextResponses(2);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1), 20_000);
    expect(topup.paymentsOf(account)[0]).toMatchObject(AUTO_PACK_PURCHASED);
    expect(topup.chargesOf(account).map((request) => request.idempotencyKey)).toEqual(
      Array.from({ length: 4 }, () => `tally-auto-topup-${account}:3`),
    );
    expect((await topup.autoTopUpSettings(account)).state.state).toBe('cooldown');
  });

  it('a payment method arriving as an id, an expanded object or a JSON string is saved as its id', async () => {
    const shapes = {
      acct_pm_id: 'pm_shape1111',
      acct_pm_object: { id: 'pm_shape2222', object: 'payment_method', card: { last4: '4242' } },
      acct_pm_json: JSON.stringify({ id: 'pm_shape3333', object: 'payment_method' }),
    };
    for (const [account, paymentMethod] of Object.entries(shapes)) {
      const response = await topup.deliver(
        stripe.event('setup_intent.succeeded', {
          id: `seti_${account}`,
          object: 'setup_intent',
          status: 'succeeded',
          customer: `cus_${account}`,
          payment_method: paymentMethod,
          metadata: { account_id: account, purpose: 'auto_topup_setup', enable_auto_topup: 'true' },
        }),
      );
      expect(response.status).toBe(200);
    }
    expect(
      await topup.db<{ account_id: string; stripe_payment_method_id: string }>(
        `SELECT account_id, stripe_payment_method_id FROM "${topup.schema}".auto_topup_settings WHERE account_id LIKE 'acct_pm_%' ORDER BY account_id`,
      ),
    ).toEqual([
      { account_id: 'acct_pm_id', stripe_payment_method_id: 'pm_shape1111' },
      { account_id: 'acct_pm_json', stripe_payment_method_id: 'pm_shape3333' },
      { account_id: 'acct_pm_object', stripe_payment_method_id: 'pm_shape2222' },
    ]);
  });

  it('an allowance 14.6 % left, announced as 15, is below a 15 % trigger: charged once; 15.4 % is not', async () => {
    const account = 'acct_exact_percent';
    await topup.saveCard(account);
    await topup.send('topup.update-auto-topup', {
      account_id: account,
      trigger_below_percent: 15,
    });
    // 1.54 of a 10 allowance left: 15.4 %, above the trigger, announced rounded as 15.
    const allowanceLeft = (remaining: string) => ({
      allowance: '10.000000',
      used: new Decimal(10).minus(remaining).toFixed(6),
      remaining,
      extra_credit_remaining: '0.000000',
      available: remaining,
    });
    await topup.balance(account, 1, 15, allowanceLeft('1.540000'));
    expect(await topup.decided(account, 1)).toBeNull();
    // 1.46 left: 14.6 %, below it, though the rounded figure is again 15.
    await topup.balance(account, 2, 15, allowanceLeft('1.460000'));
    await topup.boughtThePack(account, 2, [`tally-auto-topup-${account}:2`]);
    const [kept] = await topup.db<{ last_available_percent: string }>(
      `SELECT last_available_percent::text FROM "${topup.schema}".auto_topup_settings WHERE account_id = $1`,
      [account],
    );
    expect(kept?.last_available_percent).toBe('14.600000000000');
  });

  it('no payment method id leaves top-up: not in Stripe metadata, payments, statuses, history or stored entries', async () => {
    const savedMethods = (
      await topup.db<{ stripe_payment_method_id: string }>(
        `SELECT stripe_payment_method_id FROM "${topup.schema}".auto_topup_settings WHERE stripe_payment_method_id IS NOT NULL`,
      )
    ).map((row) => row.stripe_payment_method_id);
    expect(savedMethods.length).toBeGreaterThan(5);
    const seen = [
      JSON.stringify(topup.payments.json()),
      JSON.stringify(topup.statuses.json()),
      JSON.stringify(stripe.requests.map((request) => request.params['metadata'] ?? null)),
      JSON.stringify(await topup.db(`SELECT * FROM "${topup.schema}".topup_entries`)),
      JSON.stringify(await topup.db(`SELECT * FROM "${topup.schema}".outbox`)),
      JSON.stringify(
        await Promise.all(
          ['acct_auto', 'acct_card_declined', 'acct_monthly'].map((account) =>
            topup.send('topup.history', { account_id: account }),
          ),
        ),
      ),
    ].join('\n');
    for (const id of savedMethods) expect(seen).not.toContain(id);
    expect(seen).not.toContain('"pm_');
  });
});
