import { eventually, scrapeMetrics } from '@tally/testing';
import { topUpAgainstFakeStripe } from './topup.harness';

interface CheckoutReply {
  session_id: string;
  credit_amount: string;
}

/**
 * Refunds against a fake Stripe: a refund delivered before the payment's own success still
 * takes its credit back, and a refunded automatic top-up is neither a second automatic payment
 * (monthly limit) nor a new successful one (cooldown).
 */
describe('refunds are never lost nor counted as automatic payments', () => {
  const { stripe, topup } = topUpAgainstFakeStripe();

  it('a charge.refunded delivered before checkout.session.completed: 15 credited, then 15 taken back', async () => {
    const account = 'acct_refund_first';
    const reply = await topup.send<CheckoutReply>('topup.create-checkout', {
      account_id: account,
      amount_paid: '45',
    });
    expect(reply.credit_amount).toBe('15.000000');
    const session = stripe.completeCheckout(reply.session_id);
    const paymentIntentId = session['payment_intent'] as string;
    const refunded = stripe.event('charge.refunded', stripe.refund(paymentIntentId));
    expect((await topup.deliver(refunded)).status).toBe(200);
    expect((await topup.deliver(stripe.event('checkout.session.completed', session))).status).toBe(
      200,
    );
    await eventually(() =>
      expect(
        topup.paymentFieldsOf(account, 'kind', 'credit_amount', 'paid_amount', 'stripe_ref'),
      ).toEqual([
        ['credit_purchased', '15.000000', '45.000000', paymentIntentId],
        ['credit_refunded', '15.000000', '45.000000', paymentIntentId],
      ]),
    );
  });

  it('a refunded automatic top-up counts 30 CHF to the month, not 60, and does not restart the cooldown', async () => {
    const account = 'acct_auto_refunded';
    await topup.saveCard(account);
    await topup.balance(account, 1, 4);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    const [purchase] = topup.paymentsOf(account);
    expect(purchase).toMatchObject({ kind: 'credit_purchased', trigger: 'auto' });

    await topup.deliver(
      stripe.event('charge.refunded', stripe.refund(purchase?.stripe_ref as string)),
    );
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(2));
    expect(topup.paymentsOf(account)[1]).toMatchObject({
      kind: 'credit_refunded',
      credit_amount: '10.000000',
      paid_amount: '30.000000',
    });
    expect((await topup.autoTopUpSettings(account)).state).toMatchObject({
      state: 'cooldown',
      month_auto_paid: '30.000000',
      cooldown_until: new Date(Date.parse(purchase?.at as string) + 24 * 3_600_000).toISOString(),
    });
  });

  it('a refund of an automatic top-up that fails gives its 10 back as an automatic purchase of the same payment; the month still counts 30 CHF once', async () => {
    const account = 'acct_auto_refund_fails';
    await topup.saveCard(account);
    await topup.balance(account, 1, 4);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    const [purchase] = topup.paymentsOf(account);
    const paymentIntentId = purchase?.stripe_ref as string;

    const refund = stripe.createRefund(paymentIntentId);
    await topup.deliver(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await topup.deliver(stripe.event('refund.failed', stripe.failRefund(refund.id)));
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(3));
    expect(
      topup.paymentFieldsOf(account, 'kind', 'trigger', 'credit_amount', 'paid_amount'),
    ).toEqual([
      ['credit_purchased', 'auto', '10.000000', '30.000000'],
      ['credit_refunded', 'auto', '10.000000', '30.000000'],
      ['credit_purchased', 'auto', '10.000000', '30.000000'],
    ]);
    expect(topup.paymentsOf(account)[2]?.id).toBe(
      `${purchase?.id.replace(/:purchased$/, '')}:restored:${refund.id}`,
    );
    expect((await topup.autoTopUpSettings(account)).state).toMatchObject({
      state: 'cooldown',
      month_auto_paid: '30.000000',
      cooldown_until: new Date(Date.parse(purchase?.at as string) + 24 * 3_600_000).toISOString(),
    });
    const history = await topup.historyOf(account);
    expect(
      history.items.map((item) => [item['kind'], item['status'], item['credit_amount']]),
    ).toEqual([
      ['refund', 'failed', '0.000000'],
      ['auto_purchase', 'succeeded', '10.000000'],
    ]);
  });

  it('a failed refund given back is announced as a restoration of its refund and counted apart from purchases', async () => {
    const account = 'acct_restoration_counted';
    const counted = async () => {
      const metrics = await scrapeMetrics(topup.url);
      return [
        metrics.get('tally_topup_payments_total{kind="credit_purchased",trigger="auto"}') ?? 0,
        metrics.get('tally_topup_refund_restorations_total{trigger="auto"}') ?? 0,
      ];
    };
    await topup.saveCard(account);
    const [purchasedBefore = 0, restoredBefore = 0] = await counted();
    await topup.balance(account, 1, 4);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    const paymentIntentId = topup.paymentsOf(account)[0]?.stripe_ref as string;
    const refund = stripe.createRefund(paymentIntentId);
    await topup.deliver(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await topup.deliver(stripe.event('refund.failed', stripe.failRefund(refund.id)));
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(3));
    // One automatic purchase was made; the restoration gives a refund's credit back, no more.
    expect(await counted()).toEqual([purchasedBefore + 1, restoredBefore + 1]);
    expect(topup.paymentsOf(account).map((payment) => payment.restores_refund ?? null)).toEqual([
      null,
      null,
      refund.id,
    ]);
  });

  it('a refund recorded before refunds were kept by id is adopted by its refund: not taken again, given back when it fails', async () => {
    const account = 'acct_legacy_refund';
    const reply = await topup.send<CheckoutReply>('topup.create-checkout', {
      account_id: account,
      amount_paid: '45',
    });
    const session = stripe.completeCheckout(reply.session_id);
    const paymentIntentId = session['payment_intent'] as string;
    await topup.deliver(stripe.event('checkout.session.completed', session));
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    // What top-up recorded of a 15 CHF refund by the charge's total (ADR 0028).
    const legacy = stripe.createRefund(paymentIntentId, { amountMinor: 1500 });
    await topup.db(
      `WITH purchase AS (
         UPDATE "${topup.schema}".topup_entries SET refunded_paid = 15, refunded_credit = 5
         WHERE payment_intent_id = $1 RETURNING account_id, entry_id)
       INSERT INTO "${topup.schema}".topup_entries (account_id, entry_id, kind, trigger, status,
         credit_amount, paid_amount, paid_currency, refund_of, refund_key, stripe_ref, created_at,
         settled_at)
       SELECT account_id, gen_random_uuid(), 'refund', 'manual', 'succeeded', 5, 15, 'CHF',
         entry_id, $1 || ':1500', $1, now(), now() FROM purchase`,
      [paymentIntentId],
    );

    const second = stripe.createRefund(paymentIntentId, { amountMinor: 1500 });
    await topup.deliver(stripe.event('charge.refunded', stripe.chargeOf(paymentIntentId)));
    await topup.deliver(stripe.event('refund.failed', stripe.failRefund(legacy.id)));
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(3));
    expect(
      topup
        .paymentsOf(account)
        .map((payment) => [payment.id.split(':').slice(2).join(':'), payment.credit_amount]),
    ).toEqual([
      ['purchased', '15.000000'],
      [`refunded:${second.id}`, '5.000000'],
      [`restored:${legacy.id}`, '5.000000'],
    ]);
  });
});
