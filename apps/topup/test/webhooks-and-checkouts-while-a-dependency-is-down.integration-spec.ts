import { FakeStripeServer, TcpProxy, isolate } from '@tally/testing';
import { TopUpHarness } from './topup.harness';

interface CheckoutReply {
  session_id?: string;
  error_code?: string;
}

/**
 * DESIGN 5 and 6 with top-up's dependencies down: its database behind a TCP proxy the test
 * takes down, a fake Stripe that fails or stalls. A webhook that cannot be recorded must not
 * answer 2xx (Stripe would not deliver it again and the payment would be lost); a checkout that
 * Stripe did not create records nothing paid, and asking again works.
 */
describe('top-up while its database or Stripe is down', () => {
  const shared = isolate();
  const stripe = new FakeStripeServer();
  let proxy: TcpProxy;
  let topup: TopUpHarness;
  const account = 'acct_deps_down';
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    const proxied = await TcpProxy.toDatabase(shared.databaseUrl);
    proxy = proxied.proxy;
    await stripe.listen();
    topup = await new TopUpHarness(stripe, {}, { ...shared, databaseUrl: proxied.url }).start();
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await proxy.restore();
    await topup.stop();
    await proxy.stop();
    await stripe.stop();
  });

  const checkout = () =>
    topup.send<CheckoutReply>('topup.create-checkout', { account_id: account, amount_paid: '30' });

  it('answers a webhook 503 DATABASE_UNAVAILABLE while PostgreSQL is down, and credits its redelivery once', async () => {
    const { session_id: sessionId } = await checkout();
    const completed = stripe.event(
      'checkout.session.completed',
      stripe.completeCheckout(sessionId ?? ''),
    );

    await proxy.refuse();
    const refused = await topup.deliver(completed);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error_code: 'DATABASE_UNAVAILABLE' });
    expect(await checkout()).toMatchObject({ error_code: 'DATABASE_UNAVAILABLE' });

    await proxy.restore();
    expect(await topup.outcomeOf(completed)).toBe('handled');
    expect(await topup.outcomeOf(completed)).not.toBe('handled');
    expect(
      await topup.historyFieldsOf(account, 'kind', 'status', 'credit_amount', 'paid_amount'),
    ).toEqual([['purchase', 'succeeded', '10.000000', '30.000000']]);
    expect(unhandled).toEqual([]);
  });

  it('replies STRIPE_UNAVAILABLE to a checkout Stripe answers 500 or too late for, asks Stripe once per command, and creates one when asked again', async () => {
    const other = 'acct_stripe_down';
    // Longer than top-up's own wait for Stripe, so its reply is what the test reads.
    const ask = () =>
      topup.commands.send<CheckoutReply>(
        'topup.create-checkout',
        { account_id: other, amount_paid: '30' },
        40_000,
      );
    const sessionsAskedFor = () =>
      stripe
        .requestsTo('POST', '/v1/checkout/sessions')
        .filter((request) => request.params['client_reference_id'] === other)
        .map((request) => request.idempotencyKey);
    stripe.failNext(1);
    expect(await ask()).toMatchObject({ error_code: 'STRIPE_UNAVAILABLE' });
    // Stripe answers after top-up's timeout, longer than the broker's session timeout.
    const release = stripe.stallNext('/v1/checkout/sessions');
    try {
      expect(await ask()).toMatchObject({ error_code: 'STRIPE_UNAVAILABLE' });
    } finally {
      release();
    }

    // The account's commands run in order: this one runs after any redelivery of the last.
    const created = await ask();
    expect(created.session_id).toMatch(/^cs_/);
    expect(await topup.historyFieldsOf(other, 'status')).toEqual([['open']]);
    const keys = sessionsAskedFor();
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
    expect(unhandled).toEqual([]);
  }, 90_000);
});
