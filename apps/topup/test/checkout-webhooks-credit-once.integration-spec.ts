import { eventually, scrapeMetrics } from '@tally/testing';
import { WEBHOOK_SECRET, topUpWithTheLedger } from './topup.harness';

interface CheckoutReply {
  checkout_url: string | null;
  session_id: string;
  credit_amount: string;
  paid_amount: string;
  paid_currency: string;
  dry_run: boolean;
}

interface HistoryReply {
  items: Array<Record<string, string>>;
  next_cursor: string | null;
}

/**
 * Manual top-ups through Stripe Checkout, with the ledger running as its own process: every
 * Stripe event id, checkout session and payment intent credits at most once, whatever Stripe
 * delivers and in whatever order, and the ledger's credit shows exactly what was bought.
 */
describe('checkout webhooks credit once, exactly, in the ledger', () => {
  const { stripe, topup, ledgerCredit } = topUpWithTheLedger(['ledger.budget-status']);

  const checkout = (account: string, amount: string) =>
    topup.send<CheckoutReply>('topup.create-checkout', {
      account_id: account,
      amount_paid: amount,
    });
  /** A checkout the customer paid, with the events Stripe sends about it. */
  const paidCheckout = async (account: string, amount: string) => {
    const reply = await checkout(account, amount);
    const session = stripe.completeCheckout(reply.session_id);
    const paymentIntent = stripe.object(session['payment_intent'] as string);
    return {
      reply,
      session,
      completed: stripe.event('checkout.session.completed', session),
      succeeded: stripe.event('payment_intent.succeeded', paymentIntent),
      paymentIntentId: paymentIntent.id,
    };
  };

  it('a checkout.session.completed delivered 3 times credits 15 for 45 CHF once', async () => {
    const account = 'acct_thrice';
    const { reply, completed } = await paidCheckout(account, '45');
    expect(reply).toMatchObject({
      credit_amount: '15.000000',
      paid_amount: '45.000000',
      paid_currency: 'CHF',
      dry_run: false,
    });
    expect(reply.checkout_url).toContain(reply.session_id);
    const outcomes = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await topup.deliver(completed);
      expect(response.status).toBe(200);
      outcomes.push(((await response.json()) as { outcome: string }).outcome);
    }
    expect(outcomes).toEqual(['handled', 'duplicate', 'duplicate']);
    await eventually(async () => expect(await ledgerCredit(account)).toBe('15.000000'));

    // A later purchase of the account shows that nothing else was on its way.
    const marker = await paidCheckout(account, '30');
    await topup.deliver(marker.completed);
    await eventually(async () => expect(await ledgerCredit(account)).toBe('25.000000'));
    expect(topup.paymentFieldsOf(account, 'kind', 'credit_amount')).toEqual([
      ['credit_purchased', '15.000000'],
      ['credit_purchased', '10.000000'],
    ]);
  });

  it('payment_intent.succeeded before checkout.session.completed credits 10 CHF once: 3.333333333333', async () => {
    const account = 'acct_out_of_order';
    const { reply, session, completed, succeeded, paymentIntentId } = await paidCheckout(
      account,
      '10',
    );
    expect(reply.credit_amount).toBe('3.333333333333');
    for (const event of [succeeded, completed, succeeded, completed]) {
      expect((await topup.deliver(event)).status).toBe(200);
    }
    // The same payment under new event ids (Stripe resends it so after an outage) credits nothing.
    await topup.deliver(stripe.event('payment_intent.succeeded', stripe.object(paymentIntentId)));
    await topup.deliver(stripe.event('checkout.session.completed', session));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('3.333333333333'));
    const marker = await paidCheckout(account, '30');
    await topup.deliver(marker.completed);
    await eventually(async () => expect(await ledgerCredit(account)).toBe('13.333333333333'));
    expect(topup.paymentsOf(account)).toHaveLength(2);
    expect(topup.paymentsOf(account)[0]).toMatchObject({
      kind: 'credit_purchased',
      trigger: 'manual',
      credit_amount: '3.333333333333',
      paid_amount: '10.000000',
      paid_currency: 'CHF',
      stripe_ref: paymentIntentId,
    });
    const [row] = await topup.db<{ checkout_session_id: string; payment_intent_id: string }>(
      `SELECT checkout_session_id, payment_intent_id FROM "${topup.schema}".topup_entries WHERE entry_id = $1`,
      [(session['metadata'] as Record<string, string>)['entry_id']],
    );
    expect(row).toEqual({
      checkout_session_id: reply.session_id,
      payment_intent_id: paymentIntentId,
    });
  });

  it('the CHF -> USD rate is exact: 10 -> 3.333333333333, 45 -> 15, 30 -> 10, 20 -> 6.666666666667', async () => {
    const figures = await Promise.all(
      ['10', '45', '30', '20'].map(async (amount) => {
        const reply = await topup.send<CheckoutReply>('topup.create-checkout', {
          account_id: 'acct_rates',
          amount_paid: amount,
          dry_run: true,
        });
        return [reply.paid_amount, reply.credit_amount, reply.dry_run];
      }),
    );
    expect(figures).toEqual([
      ['10.000000', '3.333333333333', true],
      ['45.000000', '15.000000', true],
      ['30.000000', '10.000000', true],
      ['20.000000', '6.666666666667', true],
    ]);
    expect(
      await topup.send('topup.create-checkout', {
        account_id: 'acct_rates',
        pack: 'standard',
        dry_run: true,
      }),
    ).toMatchObject({ paid_amount: '30.000000', credit_amount: '10.000000' });
  });

  it('refuses amounts out of bounds or finer than the currency, and a pack with an amount', async () => {
    for (const payload of [
      { amount_paid: '4.99' },
      { amount_paid: '1000.01' },
      { amount_paid: '10.005' },
      { amount_paid: 10 },
      { amount_paid: '30', pack: 'standard' },
      { pack: 'jumbo' },
      {},
    ]) {
      expect(
        await topup.send('topup.create-checkout', { account_id: 'acct_bounds', ...payload }),
      ).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    }
    expect(
      stripe
        .requestsTo('POST', '/v1/checkout/sessions')
        .filter(
          (request) =>
            (request.params['metadata'] as Record<string, string>)['account_id'] === 'acct_bounds',
        ),
    ).toHaveLength(0);
  });

  it('refuses a pack named like a property every object has, with VALIDATION_FAILED', async () => {
    for (const pack of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(
        await topup.send('topup.create-checkout', {
          account_id: 'acct_rev2_pack_names',
          pack,
          dry_run: true,
        }),
      ).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    }
  });

  it('uses the configured return URLs unless the request names its own', async () => {
    await topup.send('topup.create-checkout', { account_id: 'acct_urls', amount_paid: '10' });
    await topup.send('topup.create-checkout', {
      account_id: 'acct_urls',
      amount_paid: '10',
      success_url: 'https://app.example/paid',
      cancel_url: 'https://app.example/cancelled',
    });
    const sent = stripe
      .requestsTo('POST', '/v1/checkout/sessions')
      .filter((request) => request.params['client_reference_id'] === 'acct_urls')
      .map((request) => [request.params['success_url'], request.params['cancel_url']]);
    expect(sent).toEqual([
      [
        'http://localhost:3000/topups/success?session_id={CHECKOUT_SESSION_ID}',
        'http://localhost:3000/topups/cancel',
      ],
      ['https://app.example/paid', 'https://app.example/cancelled'],
    ]);
    const [request] = stripe.requestsTo('POST', '/v1/checkout/sessions').slice(-1);
    expect(request).toMatchObject({
      params: {
        mode: 'payment',
        line_items: [{ quantity: '1', price_data: { currency: 'chf', unit_amount: '1000' } }],
        metadata: {
          account_id: 'acct_urls',
          trigger: 'manual',
          credit_amount: '3.333333333333',
          paid_amount: '10.000000',
          paid_currency: 'CHF',
        },
      },
    });
    expect(request?.idempotencyKey).toMatch(/^tally-checkout-/);
  });

  it('an unpaid checkout is a failed entry with 0 credit and the attempted amount', async () => {
    const account = 'acct_unpaid';
    const reply = await checkout(account, '30');
    const session = stripe.completeCheckout(reply.session_id, { paid: false });
    expect((await topup.deliver(stripe.event('checkout.session.completed', session))).status).toBe(
      200,
    );
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    expect(topup.paymentsOf(account)[0]).toMatchObject({
      kind: 'credit_failed',
      trigger: 'manual',
      credit_amount: '0.000000',
      paid_amount: '30.000000',
      paid_currency: 'CHF',
    });
    const history = await topup.send<HistoryReply>('topup.history', { account_id: account });
    expect(history.items).toEqual([
      expect.objectContaining({
        kind: 'failed',
        status: 'failed',
        credit_amount: '0.000000',
        paid_amount: '30.000000',
      }),
    ]);
  });

  it('a delayed payment that succeeds later credits 10 for 30 CHF once, on checkout.session.async_payment_succeeded', async () => {
    const account = 'acct_rev2_delayed_paid';
    const reply = await checkout(account, '30');
    const completed = stripe.completeCheckout(reply.session_id, { paid: false });
    await topup.deliver(stripe.event('checkout.session.completed', completed));
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));

    // Days later the bank transfer clears: Stripe says so on the session's own event.
    const settled = stripe.settleDelayedCheckout(reply.session_id);
    const succeeded = stripe.event('checkout.session.async_payment_succeeded', settled);
    const response = await topup.deliver(succeeded);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, outcome: 'handled' });
    await eventually(async () => expect(await ledgerCredit(account)).toBe('10.000000'));
    // The payment intent's own success for the same payment, and a redelivery, credit nothing more.
    await topup.deliver(
      stripe.event('payment_intent.succeeded', stripe.object(settled['payment_intent'] as string)),
    );
    await topup.deliver(succeeded);
    const marker = await paidCheckout(account, '30');
    await topup.deliver(marker.completed);
    await eventually(async () => expect(await ledgerCredit(account)).toBe('20.000000'));
    expect(
      topup.paymentFieldsOf(
        account,
        'kind',
        'credit_amount',
        'paid_amount',
        'paid_currency',
        'stripe_ref',
      ),
    ).toEqual([
      ['credit_failed', '0.000000', '30.000000', 'CHF', settled['payment_intent']],
      ['credit_purchased', '10.000000', '30.000000', 'CHF', settled['payment_intent']],
      ['credit_purchased', '10.000000', '30.000000', 'CHF', marker.paymentIntentId],
    ]);
    const history = await topup.send<HistoryReply>('topup.history', { account_id: account });
    expect(
      history.items.map((item) => [item['kind'], item['status'], item['credit_amount']]),
    ).toEqual([
      ['purchase', 'succeeded', '10.000000'],
      ['purchase', 'succeeded', '10.000000'],
    ]);
  });

  it('a delayed payment that fails later, its completion never delivered, is a failed entry with 0 credit', async () => {
    const account = 'acct_rev2_delayed_failed';
    const reply = await checkout(account, '30');
    stripe.completeCheckout(reply.session_id, { paid: false });
    const settled = stripe.settleDelayedCheckout(reply.session_id, { paid: false });
    const response = await topup.deliver(
      stripe.event('checkout.session.async_payment_failed', settled),
    );
    expect(await response.json()).toEqual({ received: true, outcome: 'handled' });
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    expect(topup.paymentsOf(account)[0]).toMatchObject({
      kind: 'credit_failed',
      trigger: 'manual',
      credit_amount: '0.000000',
      paid_amount: '30.000000',
      paid_currency: 'CHF',
      stripe_ref: settled['payment_intent'],
    });
    const history = await topup.send<HistoryReply>('topup.history', { account_id: account });
    expect(
      history.items.map((item) => [item['kind'], item['status'], item['credit_amount']]),
    ).toEqual([['failed', 'failed', '0.000000']]);
  });

  it('a refund takes the credit back in proportion, once per refund: 45 CHF, 15 refunded then the rest', async () => {
    const account = 'acct_refund';
    const { completed, paymentIntentId } = await paidCheckout(account, '45');
    await topup.deliver(completed);
    await eventually(async () => expect(await ledgerCredit(account)).toBe('15.000000'));

    const partial = stripe.event('charge.refunded', stripe.refund(paymentIntentId, 1500));
    await topup.deliver(partial);
    await topup.deliver(partial);
    await eventually(async () => expect(await ledgerCredit(account)).toBe('10.000000'));

    const full = stripe.refund(paymentIntentId);
    await topup.deliver(stripe.event('charge.refunded', full));
    // An older total under a new event id, arriving late, takes nothing more.
    await topup.deliver(
      stripe.event('charge.refunded', { ...full, amount_refunded: 1500, refunded: false }),
    );
    await eventually(async () => expect(await ledgerCredit(account)).toBe('0.000000'));
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(3));
    expect(
      topup.paymentFieldsOf(account, 'kind', 'credit_amount', 'paid_amount', 'stripe_ref'),
    ).toEqual([
      ['credit_purchased', '15.000000', '45.000000', paymentIntentId],
      ['credit_refunded', '5.000000', '15.000000', paymentIntentId],
      ['credit_refunded', '10.000000', '30.000000', paymentIntentId],
    ]);
  });

  it('a charge presented in EUR (48.00 EUR for a 45 CHF pack): 24.00 EUR refunded is half of it, 7.5 of 15 credit', async () => {
    // Checkout with Adaptive Pricing, on webhook API versions before 2025-03-31, charges the
    // customer's currency: the charge's amounts are not in the paid currency's minor units.
    const account = 'acct_refund_presented';
    const { completed, paymentIntentId } = await paidCheckout(account, '45');
    Object.assign(stripe.object(stripe.chargeOf(paymentIntentId).id), {
      currency: 'eur',
      amount: 4800,
    });
    await topup.deliver(completed);
    await eventually(async () => expect(await ledgerCredit(account)).toBe('15.000000'));

    const refund = stripe.createRefund(paymentIntentId, { amountMinor: 2400 });
    await topup.deliver(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(2));
    expect(topup.paymentsOf(account)[1]).toMatchObject({
      kind: 'credit_refunded',
      credit_amount: '7.500000',
      paid_amount: '22.500000',
      paid_currency: 'CHF',
    });
    await eventually(async () => expect(await ledgerCredit(account)).toBe('7.500000'));

    // A Refund names no charge amount: top-up reads it from Stripe to give the same share back.
    await topup.deliver(stripe.event('refund.failed', stripe.failRefund(refund.id)));
    await eventually(async () => expect(await ledgerCredit(account)).toBe('15.000000'));
    expect(topup.paymentsOf(account)[2]).toMatchObject({
      kind: 'credit_purchased',
      credit_amount: '7.500000',
      paid_amount: '22.500000',
    });
  });

  it('missing, bad, tampered and stale signatures answer 400 and write nothing', async () => {
    const account = 'acct_signatures';
    const { reply, completed } = await paidCheckout(account, '30');
    const before =
      (await scrapeMetrics(topup.url)).get('tally_topup_webhooks_total{outcome="bad_signature"}') ??
      0;
    const other = stripe.sign(stripe.event('checkout.session.completed', {}), WEBHOOK_SECRET);
    const attempts = [
      await topup.deliver(completed, { header: null }),
      await topup.deliver(completed, { header: 'garbage' }),
      await topup.deliver(completed, { secret: 'whsec_not_the_endpoint_secret' }),
      await topup.deliver(completed, { header: other.header }),
      await topup.deliver(completed, { timestamp: Math.floor(Date.now() / 1000) - 600 }),
    ];
    for (const response of attempts) {
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error_code: 'BAD_SIGNATURE' });
    }
    expect(
      await topup.db(`SELECT 1 FROM "${topup.schema}".stripe_events WHERE event_id = $1`, [
        completed['id'],
      ]),
    ).toHaveLength(0);
    expect(
      await topup.db<{ status: string; credited_at: Date | null }>(
        `SELECT status, credited_at FROM "${topup.schema}".topup_entries WHERE checkout_session_id = $1`,
        [reply.session_id],
      ),
    ).toEqual([{ status: 'open', credited_at: null }]);
    expect(
      (await scrapeMetrics(topup.url)).get('tally_topup_webhooks_total{outcome="bad_signature"}'),
    ).toBe(before + 5);

    // The same event, signed as Stripe signs it, goes through.
    expect((await topup.deliver(completed)).status).toBe(200);
    await eventually(async () => expect(await ledgerCredit(account)).toBe('10.000000'));
    expect(topup.paymentsOf(account)).toHaveLength(1);
  });

  it('a signed event carrying a NUL byte (in its id, its type or its object) answers 422 VALIDATION_FAILED and writes nothing', async () => {
    const account = 'acct_nul_byte';
    const { reply, completed, session } = await paidCheckout(account, '30');
    const id = completed['id'] as string;
    const malformed = [
      { ...completed, id: `${id}\u0000x` },
      { ...completed, type: 'checkout.session.completed\u0000' },
      {
        ...completed,
        data: {
          object: {
            ...session,
            metadata: { ...(session['metadata'] as object), account_id: `${account}\u0000` },
          },
        },
      },
    ];
    for (const event of malformed) {
      const response = await topup.deliver(event);
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    }
    expect(
      await topup.db(`SELECT 1 FROM "${topup.schema}".stripe_events WHERE event_id LIKE $1`, [
        `${id}%`,
      ]),
    ).toHaveLength(0);
    expect(
      await topup.db<{ status: string }>(
        `SELECT status FROM "${topup.schema}".topup_entries WHERE checkout_session_id = $1`,
        [reply.session_id],
      ),
    ).toEqual([{ status: 'open' }]);

    // The event as Stripe signs it goes through, once.
    expect((await topup.deliver(completed)).status).toBe(200);
    await eventually(async () => expect(await ledgerCredit(account)).toBe('10.000000'));
    expect(topup.paymentsOf(account)).toHaveLength(1);
  });

  it('history refuses a cursor it could not have given (entry id not a uuid, a time before 4713 BC) with VALIDATION_FAILED', async () => {
    const cursorOf = (at: string, entryId: string) =>
      Buffer.from(JSON.stringify([at, entryId])).toString('base64url');
    for (const cursor of [
      cursorOf('2026-12-06T10:00:00.000Z', '-'.repeat(36)),
      cursorOf('2026-12-06T10:00:00.000Z', '0123456789abcdef0123456789abcdef0123'),
      cursorOf('-271821-04-20T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'),
      // Year 0 is a date to JavaScript, not to PostgreSQL.
      cursorOf('0000-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'),
    ]) {
      expect(
        await topup.send('topup.history', { account_id: 'acct_rev2_cursor', cursor }),
      ).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    }
  });

  it('history: newest first, in pages, Stripe refs masked, and an account sees only its own', async () => {
    const first = await paidCheckout('acct_history_a', '10');
    await topup.deliver(first.completed);
    const second = await paidCheckout('acct_history_a', '20');
    await topup.deliver(second.succeeded);
    const others = await paidCheckout('acct_history_b', '30');
    await topup.deliver(others.completed);

    const page1 = await topup.send<HistoryReply>('topup.history', {
      account_id: 'acct_history_a',
      limit: 1,
    });
    expect(page1.items).toHaveLength(1);
    expect(page1.next_cursor).toEqual(expect.any(String));
    const page2 = await topup.send<HistoryReply>('topup.history', {
      account_id: 'acct_history_a',
      limit: 1,
      cursor: page1.next_cursor,
    });
    expect(page2.next_cursor).toBeNull();
    const items = [...page1.items, ...page2.items];
    expect(
      items.map((item) => [
        item['kind'],
        item['trigger'],
        item['credit_amount'],
        item['paid_amount'],
        item['status'],
      ]),
    ).toEqual([
      ['purchase', 'manual', '6.666666666667', '20.000000', 'succeeded'],
      ['purchase', 'manual', '3.333333333333', '10.000000', 'succeeded'],
    ]);
    expect(items.map((item) => item['stripe_ref'])).toEqual([
      `pi_...${second.paymentIntentId.slice(-4)}`,
      `pi_...${first.paymentIntentId.slice(-4)}`,
    ]);
    const everything = JSON.stringify(
      await topup.send('topup.history', { account_id: 'acct_history_a' }),
    );
    for (const id of [first.paymentIntentId, second.paymentIntentId, first.reply.session_id]) {
      expect(everything).not.toContain(id);
    }
    const theirs = await topup.send<HistoryReply>('topup.history', {
      account_id: 'acct_history_b',
    });
    expect(theirs.items.map((item) => item['paid_amount'])).toEqual(['30.000000']);
    expect(
      await topup.send('topup.history', { account_id: 'acct_history_a', cursor: 'not-a-cursor' }),
    ).toMatchObject({ error_code: 'VALIDATION_FAILED' });
  });
});
