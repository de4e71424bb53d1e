import { FakeStripeServer, eventually } from '@tally/testing';
import { TopUpHarness } from './topup.harness';

interface CheckoutReply {
  session_id: string;
  credit_amount: string;
  paid_amount: string;
  paid_currency: string;
}

/**
 * TOPUP_PAID_CURRENCY may name a zero-decimal currency (JPY: Stripe takes yen as they are) or a
 * three-decimal one (BHD: fils, but Stripe takes only amounts whose last digit is 0). Each
 * checkout charges Stripe the paid amount in its minor units, and a refund in those units takes
 * back its exact share of the credit.
 */
describe('zero- and three-decimal paid currencies are charged as Stripe takes them', () => {
  let stripe: FakeStripeServer;
  let yen: TopUpHarness;
  let dinar: TopUpHarness;

  const sessionRequestOf = (account: string) =>
    stripe
      .requestsTo('POST', '/v1/checkout/sessions')
      .filter((request) => request.params['client_reference_id'] === account);

  beforeAll(async () => {
    stripe = await FakeStripeServer.start();
    yen = await new TopUpHarness(stripe, {
      TOPUP_PAID_CURRENCY: 'JPY',
      TOPUP_CREDIT_RATE: '10/1500',
      TOPUP_MIN_PAID: '500',
      TOPUP_MAX_PAID: '150000',
      // DESIGN's packs and auto top-up are CHF figures: 10 yen is below what Stripe charges.
      TOPUP_PACKS: '1500,4500,13500',
      TOPUP_AUTO_AMOUNT_PAID: '4500',
      TOPUP_AUTO_MONTHLY_LIMIT: '45000',
    }).start();
    dinar = await new TopUpHarness(stripe, {
      TOPUP_PAID_CURRENCY: 'BHD',
      TOPUP_CREDIT_RATE: '10/3.77',
    }).start();
  });
  afterAll(async () => {
    await yen.stop();
    await dinar.stop();
    await stripe.stop();
  });

  it('JPY: 3000 yen is charged as 3000 and buys 20; a refund of 1000 yen takes back 6.666666666667', async () => {
    const account = 'acct_yen';
    const reply = await yen.send<CheckoutReply>('topup.create-checkout', {
      account_id: account,
      amount_paid: '3000',
    });
    expect(reply).toMatchObject({
      credit_amount: '20.000000',
      paid_amount: '3000.000000',
      paid_currency: 'JPY',
    });
    expect(sessionRequestOf(account).map((request) => request.params['line_items'])).toEqual([
      [
        {
          quantity: '1',
          price_data: expect.objectContaining({ currency: 'jpy', unit_amount: '3000' }),
        },
      ],
    ]);
    const session = stripe.completeCheckout(reply.session_id);
    expect((await yen.deliver(stripe.event('checkout.session.completed', session))).status).toBe(
      200,
    );
    const paymentIntentId = session['payment_intent'] as string;
    const charge = stripe.refund(paymentIntentId, 1000);
    expect((await yen.deliver(stripe.event('charge.refunded', charge))).status).toBe(200);
    await expectPayments(yen, account, [
      ['credit_purchased', '20.000000', '3000.000000', 'JPY'],
      ['credit_refunded', '6.666666666667', '1000.000000', 'JPY'],
    ]);
  });

  it('JPY: a fraction of a yen is refused with VALIDATION_FAILED, nothing asked of Stripe', async () => {
    const account = 'acct_yen_fraction';
    expect(
      await yen.send('topup.create-checkout', { account_id: account, amount_paid: '3000.5' }),
    ).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    expect(sessionRequestOf(account)).toHaveLength(0);
  });

  it('BHD: 10.01 dinars is charged as 10010 fils and buys 26.551724137931', async () => {
    const account = 'acct_dinar';
    const reply = await dinar.send<CheckoutReply>('topup.create-checkout', {
      account_id: account,
      amount_paid: '10.01',
    });
    expect(reply).toMatchObject({
      credit_amount: '26.551724137931',
      paid_amount: '10.010000',
      paid_currency: 'BHD',
    });
    expect(sessionRequestOf(account).map((request) => request.params['line_items'])).toEqual([
      [
        {
          quantity: '1',
          price_data: expect.objectContaining({ currency: 'bhd', unit_amount: '10010' }),
        },
      ],
    ]);
    const session = stripe.completeCheckout(reply.session_id);
    expect((await dinar.deliver(stripe.event('checkout.session.completed', session))).status).toBe(
      200,
    );
    await expectPayments(dinar, account, [
      ['credit_purchased', '26.551724137931', '10.010000', 'BHD'],
    ]);
  });

  it('BHD: 10.005 dinars (a last fils digit Stripe refuses) is VALIDATION_FAILED, for a checkout and for the auto top-up pack', async () => {
    const account = 'acct_dinar_fils';
    const checkout = await dinar.send('topup.create-checkout', {
      account_id: account,
      amount_paid: '10.005',
    });
    expect(checkout).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    expect(sessionRequestOf(account)).toHaveLength(0);
    expect(
      await dinar.db(`SELECT 1 FROM "${dinar.schema}".topup_entries WHERE account_id = $1`, [
        account,
      ]),
    ).toEqual([]);
    expect(
      await dinar.send('topup.update-auto-topup', { account_id: account, amount_paid: '10.005' }),
    ).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    expect(await dinar.send('topup.get-auto-topup', { account_id: account })).toMatchObject({
      amount_paid: '30.000000',
    });
  });
});

async function expectPayments(
  topup: TopUpHarness,
  account: string,
  expected: Array<[string, string, string, string]>,
): Promise<void> {
  await eventually(() =>
    expect(
      topup.paymentFieldsOf(account, 'kind', 'credit_amount', 'paid_amount', 'paid_currency'),
    ).toEqual(expected),
  );
}
