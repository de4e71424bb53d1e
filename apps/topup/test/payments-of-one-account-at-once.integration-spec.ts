import type { INestApplication } from '@nestjs/common';
import { eventually, holdRowLock } from '@tally/testing';
import { AUTO_PACK_PURCHASED, WEBHOOK_SECRET, topUpAgainstFakeStripe } from './topup.harness';

/**
 * Payments of one account at the same moment, on two top-up instances, their interleaving
 * forced: the test holds the account's settings row, which every settling transaction and
 * every auto top-up decision locks first, waits until both writes queue on it, and lets them
 * go in a known order. Each payment credits once, exactly.
 */
describe('payments of one account at once', () => {
  const { stripe, topup } = topUpAgainstFakeStripe();
  let second: INestApplication;

  const lockSettings = (account: string) =>
    holdRowLock(
      topup.isolation.databaseUrl,
      topup.schema,
      'SELECT 1 FROM auto_topup_settings WHERE account_id = $1 FOR UPDATE',
      [account],
    );
  const deliverTo = async (url: string, event: Record<string, unknown>) => {
    const response = await stripe.deliver(url, event, WEBHOOK_SECRET);
    return `${response.status} ${((await response.json()) as { outcome: string }).outcome}`;
  };
  const webhookUrls = () => [topup.webhookUrl, `${topup.urlOf(second)}/webhooks/stripe`];
  const paidCheckout = async (account: string, amountPaid: string) => {
    const reply = await topup.send<{ session_id: string }>('topup.create-checkout', {
      account_id: account,
      amount_paid: amountPaid,
    });
    const session = stripe.completeCheckout(reply.session_id);
    return {
      completed: stripe.event('checkout.session.completed', session),
      paymentIntentId: session['payment_intent'] as string,
    };
  };

  beforeAll(async () => {
    second = await topup.startInstance();
  });

  it.each(['the manual payment', 'the auto top-up decision'])(
    'an auto top-up deciding while a manual payment of 45 CHF is credited, %s queued first: 15 and 10 credited once each, the month counts 30 CHF',
    async (first) => {
      const account = `acct_race_auto_manual_${first === 'the manual payment' ? 'a' : 'b'}`;
      await topup.saveCard(account);
      const { completed } = await paidCheckout(account, '45');
      const lock = await lockSettings(account);

      let webhook: Promise<string>;
      if (first === 'the manual payment') {
        webhook = deliverTo(topup.webhookUrl, completed);
        await lock.waitForQueue(1);
        await topup.balance(account, 2, 4);
      } else {
        await topup.balance(account, 2, 4);
        await lock.waitForQueue(1);
        webhook = deliverTo(webhookUrls()[1] ?? '', completed);
      }
      await lock.waitForQueue(2);
      await lock.letGo();

      expect(await webhook).toBe('200 handled');
      await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(2), 60_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(
        topup.paymentFieldsOf(account, 'kind', 'trigger', 'credit_amount', 'paid_amount'),
      ).toEqual(
        expect.arrayContaining([
          ['credit_purchased', 'manual', '15.000000', '45.000000'],
          [
            AUTO_PACK_PURCHASED.kind,
            AUTO_PACK_PURCHASED.trigger,
            AUTO_PACK_PURCHASED.credit_amount,
            AUTO_PACK_PURCHASED.paid_amount,
          ],
        ]),
      );
      expect(topup.paymentsOf(account)).toHaveLength(2);
      expect(topup.chargesOf(account)).toHaveLength(1);
      await eventually(() =>
        expect(topup.latestStatusOf(account)).toMatchObject({ month_auto_paid: '30.000000' }),
      );
    },
  );

  it('two manual checkouts of one account at once, each webhook delivered to both instances at once: 15 and 10 credited once each', async () => {
    const account = 'acct_race_two_checkouts';
    await topup.saveCard(account, { enable: false });
    const [large, small] = await Promise.all([
      paidCheckout(account, '45'),
      paidCheckout(account, '30'),
    ]);
    const lock = await lockSettings(account);

    const outcomes = Promise.all(
      [large.completed, small.completed].flatMap((event) =>
        webhookUrls().map((url) => deliverTo(url, event)),
      ),
    );
    await lock.waitForQueue(4);
    await lock.letGo();

    expect((await outcomes).sort()).toEqual([
      '200 duplicate',
      '200 duplicate',
      '200 handled',
      '200 handled',
    ]);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(2), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      topup
        .paymentFieldsOf(account, 'kind', 'trigger', 'credit_amount', 'paid_amount')
        .sort((a, b) => String(a[2]).localeCompare(String(b[2]))),
    ).toEqual([
      ['credit_purchased', 'manual', '10.000000', '30.000000'],
      ['credit_purchased', 'manual', '15.000000', '45.000000'],
    ]);
  });

  it('two refunds of one 45 CHF payment reported at once to two instances: 5 and 5 taken back once each', async () => {
    const account = 'acct_race_two_refunds';
    await topup.saveCard(account, { enable: false });
    const { completed, paymentIntentId } = await paidCheckout(account, '45');
    expect(await topup.outcomeOf(completed)).toBe('handled');
    const first = stripe.event('charge.refunded', stripe.refund(paymentIntentId, 1500));
    const both = stripe.event('charge.refunded', stripe.refund(paymentIntentId, 1500));
    const lock = await lockSettings(account);

    const [one, two] = webhookUrls();
    const outcomes = Promise.all([deliverTo(one ?? '', first), deliverTo(two ?? '', both)]);
    await lock.waitForQueue(2);
    await lock.letGo();

    expect(await outcomes).toEqual(['200 handled', '200 handled']);
    await eventually(() => expect(topup.paymentsOf(account)).toHaveLength(3), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(topup.paymentFieldsOf(account, 'kind', 'credit_amount', 'paid_amount')).toEqual([
      ['credit_purchased', '15.000000', '45.000000'],
      ['credit_refunded', '5.000000', '15.000000'],
      ['credit_refunded', '5.000000', '15.000000'],
    ]);
  });
});
