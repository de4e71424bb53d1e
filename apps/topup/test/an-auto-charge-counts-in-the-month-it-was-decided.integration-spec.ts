import { eventually } from '@tally/testing';
import { AUTO_PACK_PURCHASED, topUpAgainstFakeStripe } from './topup.harness';

/**
 * The monthly limit bounds what automatic top-ups charge in a month: a charge counts in the
 * month it was decided, even when Stripe reports it `processing` then and it settles in the
 * next month (ADR 0172). Time passes by moving the decision into the previous month.
 */
describe('an automatic charge counts against the monthly limit of the month it was decided', () => {
  const { stripe, topup } = topUpAgainstFakeStripe();

  it('a charge decided last month, processing, that settles this month: credited, counted last month, the new month free', async () => {
    const account = 'acct_processing_over_month_end';
    await topup.saveCard(account);
    await topup.send('topup.update-auto-topup', { account_id: account, monthly_limit: '30' });
    stripe.nextPaymentIntents('processing');
    await topup.balance(account, 1, 4);
    expect(await topup.decided(account, 1)).toBe('charged');
    const [request] = topup.chargesOf(account);
    expect([request?.params['amount'], request?.params['currency']]).toEqual(['3000', 'chf']);
    const [pending] = await eventually(async () => {
      const rows = await topup.db<{ payment_intent_id: string }>(
        `SELECT payment_intent_id FROM "${topup.schema}".topup_entries
         WHERE account_id = $1 AND status = 'pending' AND payment_intent_id IS NOT NULL
           AND next_charge_at IS NULL`,
        [account],
      );
      expect(rows).toHaveLength(1);
      return rows;
    });
    const paymentIntentId = pending?.payment_intent_id ?? '';

    // Decided in the last days of the previous month; Stripe settles it now.
    await topup.db(
      `UPDATE "${topup.schema}".topup_entries
       SET created_at = date_trunc('month', now()) - interval '2 days' WHERE account_id = $1`,
      [account],
    );
    expect(
      await topup.outcomeOf(
        stripe.event('payment_intent.succeeded', stripe.succeedPaymentIntent(paymentIntentId)),
      ),
    ).toBe('handled');

    await eventually(() =>
      expect(topup.paymentsOf(account)).toEqual([
        expect.objectContaining({ ...AUTO_PACK_PURCHASED, stripe_ref: paymentIntentId }),
      ]),
    );
    await eventually(() =>
      expect(topup.latestStatusOf(account)).toMatchObject({
        state: 'cooldown',
        month_auto_paid: '0.000000',
        monthly_limit: '30.000000',
      }),
    );
    expect((await topup.autoTopUpSettings(account)).state).toMatchObject({
      state: 'cooldown',
      month_auto_paid: '0.000000',
    });
  });
});
