import type { PaymentEvent } from '@tally/budget-domain';
import {
  CommandClient,
  FakeStripeServer,
  ServiceHarness,
  eventually,
  isolate,
  scrapeMetrics,
} from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';

const WEBHOOK_SECRET = 'whsec_black_box_endpoint_secret';
const PATTERNS = ['topup.create-checkout', 'topup.get-auto-topup', 'ledger.budget-status'];

/** Log lines at error level, Nest's or kafkajs'. */
const errorLines = (logs: string) =>
  logs.split('\n').filter((line) => /\bERROR\b|"level":"ERROR"/.test(line));

/**
 * Top-up as a process, configured only by the environment variables DESIGN 5 names
 * (STRIPE_API_URL pointing the real Stripe client at the fake), next to the ledger process.
 */
describe('black box: top-up started with exactly the DESIGN 5 variables', () => {
  let stripe: FakeStripeServer;

  beforeAll(async () => {
    stripe = await FakeStripeServer.start();
  });
  afterAll(() => stripe.stop());

  it('sells credit through the fake Stripe and the ledger credits it; /health, /metrics, quiet logs', async () => {
    const platform = new ServiceHarness(isolate(), {
      STRIPE_SECRET_KEY: 'sk_test_black_box',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: stripe.url,
      TOPUP_DRY_RUN: 'false',
      TOPUP_ALLOW_LIVE: 'false',
      TOPUP_AUTO_ENABLED: 'true',
      TOPUP_CREDIT_RATE: '10/30',
      TOPUP_PAID_CURRENCY: 'CHF',
    });
    let commands: CommandClient | undefined;
    try {
      await platform.start('ledger', 'topup');
      const payments: TopicRecorder = await platform.kafka.record(
        platform.topic('payments.events'),
      );
      commands = await new CommandClient(
        platform.isolation.kafkaBrokers,
        platform.isolation.suffix,
        PATTERNS,
      ).connect();
      const [topup] = platform.running('topup');
      const url = `http://127.0.0.1:${topup!.port}`;

      const reply = await commands.send<{ session_id: string; credit_amount: string }>(
        'topup.create-checkout',
        { account_id: 'acct_black_box', amount_paid: '10' },
      );
      expect(reply.credit_amount).toBe('3.333333333333');
      const session = stripe.completeCheckout(reply.session_id);
      const event = stripe.event('checkout.session.completed', session);
      for (let i = 0; i < 2; i += 1) {
        expect((await stripe.deliver(`${url}/webhooks/stripe`, event, WEBHOOK_SECRET)).status).toBe(
          200,
        );
      }
      expect((await stripe.deliver(`${url}/webhooks/stripe`, event, 'whsec_wrong')).status).toBe(
        400,
      );
      await eventually(async () =>
        expect(
          await commands!.send('ledger.budget-status', { account_id: 'acct_black_box' }),
        ).toMatchObject({ extra_credit_remaining: '3.333333333333' }),
      );
      expect(payments.json<PaymentEvent>()).toEqual([
        expect.objectContaining({ kind: 'credit_purchased', credit_amount: '3.333333333333' }),
      ]);

      expect((await fetch(`${url}/health`)).status).toBe(200);
      const metrics = await scrapeMetrics(url);
      expect(
        metrics.get('tally_topup_payments_total{kind="credit_purchased",trigger="manual"}'),
      ).toBe(1);
      expect(metrics.get('tally_topup_webhooks_total{outcome="handled"}')).toBe(1);
      expect(metrics.get('tally_topup_webhooks_total{outcome="duplicate"}')).toBe(1);
      expect(metrics.get('tally_topup_webhooks_total{outcome="bad_signature"}')).toBe(1);
      expect(errorLines(topup!.logs())).toEqual([]);
      expect(topup!.logs()).not.toContain('sk_test_black_box');
    } finally {
      await commands?.close();
      await platform.stop();
    }
  });

  it('with no Stripe key it starts dry and says so at warn, without an error', async () => {
    const platform = new ServiceHarness(isolate(), {});
    try {
      await platform.start('topup');
      const [topup] = platform.running('topup');
      expect(topup!.logs()).toMatch(/WARN.*no STRIPE_SECRET_KEY: top-up runs dry/);
      expect(errorLines(topup!.logs())).toEqual([]);
    } finally {
      await platform.stop();
    }
  });

  it('with a live key and no TOPUP_ALLOW_LIVE it starts, warns, and blocks every command', async () => {
    const platform = new ServiceHarness(isolate(), {
      STRIPE_SECRET_KEY: 'sk_live_black_box_not_live',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: stripe.url,
    });
    let commands: CommandClient | undefined;
    try {
      await platform.start('topup');
      const [topup] = platform.running('topup');
      expect(topup!.logs()).toMatch(/WARN.*LIVE_TOPUP_BLOCKED/);
      expect(topup!.logs()).not.toContain('sk_live_black_box_not_live');
      commands = await new CommandClient(
        platform.isolation.kafkaBrokers,
        platform.isolation.suffix,
        ['topup.get-auto-topup'],
      ).connect();
      expect(
        await commands.send('topup.get-auto-topup', { account_id: 'acct_live' }),
      ).toMatchObject({ error_code: 'LIVE_TOPUP_BLOCKED' });
    } finally {
      await commands?.close();
      await platform.stop();
    }
  });
});
