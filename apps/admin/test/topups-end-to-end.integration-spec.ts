import { FakeStripeServer, eventually } from '@tally/testing';
import { AdminHarness } from './admin.harness';

const WEBHOOK_SECRET = 'whsec_admin_end_to_end';
type Item = Record<string, unknown>;
interface Page<T = Item> {
  items: T[];
  next_cursor: string | null;
}

/** Admin's top-up routes against the real topup service (Stripe faked) and the ledger. */
describe('top-ups end to end', () => {
  let stripe: FakeStripeServer;
  let harness: AdminHarness;
  const account = 'acct_topped';
  const webhook = () => `http://127.0.0.1:${harness.process('topup').port}/webhooks/stripe`;

  beforeAll(async () => {
    stripe = await FakeStripeServer.start();
    harness = new AdminHarness({}, ['ledger', 'topup'], undefined, {
      topup: {
        STRIPE_SECRET_KEY: 'sk_test_admin_end_to_end',
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        STRIPE_API_URL: stripe.url,
      },
    });
    await harness.start();
    expect(
      (
        await harness.call('POST', '/v1/accounts', {
          body: { account_id: account, name: 'Topped' },
        })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await harness.stop();
    await stripe.stop();
  });

  it('sells credit through a checkout: history, payments, transactions and balance', async () => {
    const checkout = await harness.call<Item>('POST', `/v1/accounts/${account}/topups/checkout`, {
      body: { amount_paid: '45.00', success_url: 'https://example.com/paid' },
    });
    expect(checkout.status).toBe(201);
    expect(checkout.body).toMatchObject({
      checkout_url: expect.any(String),
      session_id: expect.any(String),
      credit_amount: '15.000000',
      paid_currency: 'CHF',
      dry_run: false,
    });
    const session = stripe.completeCheckout(String(checkout.body['session_id']));
    const delivered = await stripe.deliver(
      webhook(),
      stripe.event('checkout.session.completed', session),
      WEBHOOK_SECRET,
    );
    expect(delivered.status).toBe(200);

    const history = await eventually(async () => {
      const page = await harness.call<Page>('GET', `/v1/accounts/${account}/topups`);
      expect(page.body.items).toEqual([
        expect.objectContaining({ kind: 'purchase', status: 'succeeded' }),
      ]);
      return page.body.items[0] as Item;
    });
    expect(history).toMatchObject({
      credit_amount: '15.000000',
      stripe_ref: expect.stringMatching(/^pi_\.\.\.\w{4}$/),
    });
    const payments = await eventually(async () => {
      const page = await harness.call<Page>('GET', `/v1/accounts/${account}/payments`);
      expect(page.body.items).toHaveLength(1);
      return page.body.items;
    });
    expect(payments[0]).toMatchObject({
      kind: 'credit_purchased',
      trigger: 'manual',
      credit_amount: '15.000000',
      paid_currency: 'CHF',
      stripe_ref: history['stripe_ref'],
    });
    await eventually(async () => {
      const page = await harness.call<Page>(
        'GET',
        `/v1/accounts/${account}/transactions?kind=purchase`,
      );
      expect(page.body.items).toEqual([
        expect.objectContaining({ amount: '15.000000', funding: null }),
      ]);
    });
    await eventually(async () =>
      expect(
        (await harness.call<Item>('GET', `/v1/accounts/${account}/budget-status`)).body,
      ).toMatchObject({
        extra_credit_remaining: '15.000000',
      }),
    );
  });

  it('refuses to turn auto top-up on without a saved card, then saves one through a setup session', async () => {
    const refused = await harness.call('PUT', `/v1/accounts/${account}/auto-topup`, {
      body: { enabled: true },
    });
    expect([refused.status, refused.body['error_code']]).toEqual([
      409,
      'AUTO_TOPUP_NO_PAYMENT_METHOD',
    ]);
    const setup = await harness.call<Item>('POST', `/v1/accounts/${account}/topups/setup`, {
      body: {},
    });
    expect(setup.status).toBe(201);
    expect(setup.body).toMatchObject({
      checkout_url: expect.any(String),
      session_id: expect.any(String),
    });
    const session = stripe.completeCheckout(String(setup.body['session_id']));
    expect(
      (
        await stripe.deliver(
          webhook(),
          stripe.event('checkout.session.completed', session),
          WEBHOOK_SECRET,
        )
      ).status,
    ).toBe(200);
    const settings = await eventually(async () => {
      const answer = await harness.call<Item>('GET', `/v1/accounts/${account}/auto-topup`);
      expect(answer.body['enabled']).toBe(true);
      return answer.body;
    });
    expect(settings['payment_method']).toMatch(/^pm_\.\.\.\w{4}$/);
    const changed = await harness.call<Item>('PUT', `/v1/accounts/${account}/auto-topup`, {
      body: { trigger_below_percent: 10, monthly_limit: '150.00' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ enabled: true, trigger_below_percent: 10 });
    await eventually(async () =>
      expect(
        (await harness.call<Item>('GET', `/v1/accounts/${account}`)).body['auto_topup'],
      ).toMatchObject({
        enabled: true,
      }),
    );
  });

  it('passes topup refusals on: an amount below the minimum is 422', async () => {
    const refused = await harness.call('POST', `/v1/accounts/${account}/topups/checkout`, {
      body: { amount_paid: '1.00' },
    });
    expect([refused.status, refused.body['error_code']]).toEqual([422, 'VALIDATION_FAILED']);
  });
});
