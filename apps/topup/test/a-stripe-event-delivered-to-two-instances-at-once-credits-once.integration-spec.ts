import type { INestApplication } from '@nestjs/common';
import { eventually } from '@tally/testing';
import { WEBHOOK_SECRET, topUpAgainstFakeStripe } from './topup.harness';

/**
 * Two top-up instances behind one webhook URL. Stripe redelivers an event whose first delivery
 * timed out while it was still being handled, and both deliveries arrive at once, one at each
 * instance; a payment's checkout.session.completed and payment_intent.succeeded race too.
 */
describe('a Stripe event delivered to two instances at once', () => {
  const { stripe, topup } = topUpAgainstFakeStripe();
  let second: INestApplication;

  beforeAll(async () => {
    second = await topup.startInstance();
  });

  it('is handled by one and a duplicate for the other; each of 6 payments of 45 CHF credits 15 once', async () => {
    const urls = [topup.webhookUrl, `${topup.urlOf(second)}/webhooks/stripe`];
    const accounts = Array.from({ length: 6 }, (_, i) => `acct_twin_hook_${i}`);
    const outcomes: string[] = [];
    for (const account of accounts) {
      const reply = await topup.send<{ session_id: string }>('topup.create-checkout', {
        account_id: account,
        amount_paid: '45',
      });
      const session = stripe.completeCheckout(reply.session_id);
      const paymentIntent = stripe.object(session['payment_intent'] as string);
      const events = [
        stripe.event('checkout.session.completed', session),
        stripe.event('payment_intent.succeeded', paymentIntent),
      ];
      const answers = await Promise.all(
        events.flatMap((event) =>
          urls.map(async (url) => {
            const response = await stripe.deliver(url, event, WEBHOOK_SECRET);
            const { outcome } = (await response.json()) as { outcome: string };
            return `${String(event['type'])} ${response.status} ${outcome}`;
          }),
        ),
      );
      outcomes.push(`${account}: ${answers.sort().join(', ')}`);
    }
    expect(outcomes).toEqual(
      accounts.map(
        (account) =>
          `${account}: checkout.session.completed 200 duplicate, checkout.session.completed 200 handled, ` +
          'payment_intent.succeeded 200 duplicate, payment_intent.succeeded 200 handled',
      ),
    );
    for (const account of accounts)
      await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const account of accounts)
      expect(topup.paymentsOf(account)).toEqual([
        expect.objectContaining({
          kind: 'credit_purchased',
          credit_amount: '15.000000',
          paid_amount: '45.000000',
          paid_currency: 'CHF',
        }),
      ]);
  });
});
