import { FakeStripeServer, eventually } from '@tally/testing';
import { TopUpHarness } from './topup.harness';

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
  let stripe: FakeStripeServer;
  let topup: TopUpHarness;

  beforeAll(async () => {
    stripe = await FakeStripeServer.start();
    topup = await new TopUpHarness(stripe).start();
  });
  afterAll(async () => {
    await topup.stop();
    await stripe.stop();
  });

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
        topup
          .paymentsOf(account)
          .map((payment) => [
            payment.kind,
            payment.credit_amount,
            payment.paid_amount,
            payment.stripe_ref,
          ]),
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
});
