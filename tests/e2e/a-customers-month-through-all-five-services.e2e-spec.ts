import { randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type {
  AlertFired,
  BalanceChanged,
  LedgerTransaction,
  PaymentEvent,
  UsageRated,
} from '@tally/budget-domain';
import {
  awayFromUtcMidnight,
  CommandClient,
  eventually,
  FakeStripeServer,
  priceCatalogFile,
  ServiceHarness,
  usageEvent,
  WebhookReceiver,
  wireAmount,
} from '@tally/testing';
import type { TopicRecorder, UsageEventFixture } from '@tally/testing';

/*
 * One customer's month through metering, the ledger, top-up, alerting and admin, each its own
 * process, driven only through what the README documents: admin's /v1 API, the ledger's
 * authorizations, usage.events, Stripe webhooks (signed by stripe-node, against the fake
 * Stripe) and the alert webhooks a receiver gets. Every amount expected is computed here from
 * the prices and plan terms this test sets, never read back from a service. The ledger,
 * alerting, top-up and admin are each killed (SIGKILL) mid-story and started again.
 */

// The contract prices the test gives metering and the ledger, per million tokens.
const PROVIDER = 'storyai';
const MODEL = 'story-large';
const INPUT_PER_MTOK = new Decimal('2.00');
const OUTPUT_PER_MTOK = new Decimal('10.00');
// The plan: 10 % on paid models, 20 % off the month's tokens from the 3,000,000th on.
const PLAN = 'story-pro';
const MARKUP_PERCENT = new Decimal('10');
const TIER_FROM_TOKENS = 3_000_000;
const TIER_PERCENT = new Decimal('20');
const ALLOWANCE = new Decimal('10');
const CUSTOM_THRESHOLD = new Decimal('12');
// A loyalty bonus and a coupon the operator gives late in the month.
const BONUS = new Decimal('1');
const COUPON_PERCENT = new Decimal('10');
// The second API key's own daily budget.
const KEY_LIMIT = new Decimal('1');
// Top-up: 10 USD of credit per 30 CHF (the default rate), auto top-up below 15 %.
const TRIGGER_BELOW_PERCENT = 15;
const MANUAL_PACK = { paid: new Decimal('15'), credit: new Decimal('5') };
const AUTO_PACK = { paid: new Decimal('30'), credit: new Decimal('10') };
const FIRST_REFUND = { paid: new Decimal('10'), credit: new Decimal('3.333333333333') };

const ACCOUNT = 'acct_story';
const SOURCE = 'gateway-story';
const GATEWAY = 'gateway';
const BATCH = 'batch';
const STRIPE_WEBHOOK_SECRET = `whsec_story_${randomBytes(8).toString('hex')}`;
const BOOTSTRAP_TOKEN = `story-bootstrap-${randomBytes(16).toString('hex')}`;
// Every kind an account may want but the anomaly, which needs hours of history.
const ALERT_KINDS = [
  'threshold',
  'soft_limit',
  'hard_limit',
  'projected_overrun',
  'custom_threshold',
  'auto_topup_failed',
  'auto_topup_paused',
];

interface Call {
  readonly input: number;
  readonly output: number;
}
const LARGE: Call = { input: 1_000_000, output: 100_000 };
const SMALL: Call = { input: 100_000, output: 20_000 };

/**
 * Provider cost of a call, and what the plan charges for it after `tokensBefore` this month
 * with a percent coupon in force: markup, then the volume discount, then the coupon.
 */
function priced(
  call: Call,
  tokensBefore: number,
  couponPercent = new Decimal(0),
): { cost: Decimal; charged: Decimal } {
  const cost = INPUT_PER_MTOK.times(call.input).plus(OUTPUT_PER_MTOK.times(call.output)).div(1e6);
  const marked = cost.times(MARKUP_PERCENT.plus(100)).div(100);
  const tokens = call.input + call.output;
  const tokensInTier = Math.max(
    0,
    tokensBefore + tokens - Math.max(tokensBefore, TIER_FROM_TOKENS),
  );
  const discounted = marked.minus(
    marked.times(TIER_PERCENT).div(100).times(tokensInTier).div(tokens),
  );
  return { cost, charged: discounted.minus(discounted.times(couponPercent).div(100)) };
}

/** What the story has spent so far, in all and per API key, by the test's own arithmetic. */
class Spend {
  tokens = 0;
  requests = 0;
  cost = new Decimal(0);
  charged = new Decimal(0);
  couponPercent = new Decimal(0);
  readonly byKey = new Map<string, { tokens: number; requests: number; charged: Decimal }>();

  add(key: string, ...calls: Call[]): void {
    for (const call of calls) {
      const { cost, charged } = priced(call, this.tokens, this.couponPercent);
      const tokens = call.input + call.output;
      this.tokens += tokens;
      this.requests += 1;
      this.cost = this.cost.plus(cost);
      this.charged = this.charged.plus(charged);
      const ofKey = this.byKey.get(key) ?? { tokens: 0, requests: 0, charged: new Decimal(0) };
      this.byKey.set(key, {
        tokens: ofKey.tokens + tokens,
        requests: ofKey.requests + 1,
        charged: ofKey.charged.plus(charged),
      });
    }
  }
}

const sum = (amounts: readonly Decimal.Value[]) =>
  amounts.reduce<Decimal>((total, amount) => total.plus(amount), new Decimal(0));

type Json = Record<string, unknown>;
interface Page {
  readonly items: Json[];
  readonly next_cursor: string | null;
}
interface Answer<T> {
  readonly status: number;
  readonly body: T;
}

describe("a customer's month through all five services, checked to the cent", () => {
  const receiver = new WebhookReceiver();
  const spend = new Spend();
  let platform: ServiceHarness;
  let stripe: FakeStripeServer;
  let ledgerCommands: CommandClient;
  let operatorToken: string;
  let tenantToken: string;
  const keys = new Map<string, { api_key_id: string; secret: string }>();
  const keyOf = (name: string) => {
    const key = keys.get(name);
    if (!key) throw new Error(`no API key ${name}`);
    return key;
  };
  let reservationId: string;
  let manualPaymentIntent: string;
  let declinedPaymentIntent: string;
  let autoPaymentIntent: string;
  let rated: TopicRecorder;
  let transactions: TopicRecorder;
  let balances: TopicRecorder;
  let payments: TopicRecorder;
  let alertsFired: TopicRecorder;

  // Funds the story should have: the allowance, credit bought or granted less what was refunded.
  let creditAdded = new Decimal(0);
  const funds = () => ALLOWANCE.plus(creditAdded).minus(spend.charged);
  // Funds against the allowance, as the ledger presents it: a whole percent, half to even.
  const fundsPercent = () =>
    funds().div(ALLOWANCE).times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toNumber();

  const urlOf = (service: string, route: string) => {
    const [instance] = platform.running(service);
    if (!instance) throw new Error(`${service} is not running`);
    return `http://127.0.0.1:${instance.port}${route}`;
  };

  async function admin<T = Json>(
    method: string,
    route: string,
    body?: unknown,
    token = operatorToken,
  ): Promise<Answer<T>> {
    const response = await fetch(urlOf('admin', route), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
  const mine = (route = '') => `/v1/accounts/${ACCOUNT}${route}`;
  const budgetStatus = async () => (await admin('GET', mine('/budget-status'))).body;
  const autoTopUpState = async () =>
    (await admin<{ state: Json }>('GET', mine('/auto-topup'))).body.state;

  async function authorize(body: Json, key = GATEWAY): Promise<Answer<Json>> {
    const response = await fetch(urlOf('ledger', '/v1/authorizations'), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${keyOf(key).secret}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  /** Stripe delivers an event (signed on its raw body) to top-up's webhook endpoint. */
  async function stripeSends(event: Json): Promise<string> {
    const response = await stripe.deliver(
      urlOf('topup', '/webhooks/stripe'),
      event,
      STRIPE_WEBHOOK_SECRET,
    );
    const answer = (await response.json()) as { received: boolean; outcome: string };
    expect([response.status, answer.received]).toEqual([200, true]);
    return answer.outcome;
  }

  function usage(
    call: Call,
    options: { key?: string; reservation?: string } = {},
  ): UsageEventFixture {
    return usageEvent({
      source: SOURCE,
      subject: ACCOUNT,
      data: {
        api_key_id: keyOf(options.key ?? GATEWAY).api_key_id,
        provider: PROVIDER,
        model: MODEL,
        input_tokens: call.input,
        output_tokens: call.output,
        ...(options.reservation ? { reservation_id: options.reservation } : {}),
      },
    });
  }
  const send = (...events: Array<UsageEventFixture | string>) =>
    platform.kafka.produce(
      platform.topic('usage.events'),
      events.map((event) => ({
        key: ACCOUNT,
        value: typeof event === 'string' ? event : JSON.stringify(event),
      })),
    );

  /** Waits until the ledger, asked through admin, has charged exactly what the story spent. */
  const charged = () =>
    eventually(
      async () => {
        const status = await budgetStatus();
        expect(status['used']).toBe(wireAmount(spend.charged));
        return status;
      },
      60_000,
      200,
    );
  const alertsListed = async (query: string) =>
    (await admin<Page>('GET', mine(`/alerts?limit=500&${query}`))).body.items;
  /** Waits until admin lists these fired alerts of one kind (levels, in any order). */
  const firedAlerts = (kind: string, levels: string[]) =>
    eventually(
      async () => {
        const fired = await alertsListed(`kind=${kind}&state=fired`);
        expect(fired.map((alert) => alert['level']).sort()).toEqual([...levels].sort());
        return fired;
      },
      60_000,
      200,
    );

  /** Kills a service (no shutdown hook runs) and starts a new instance of it. */
  async function crash(service: string): Promise<void> {
    const [instance] = platform.running(service);
    await instance!.kill();
    await platform.startService(service);
  }

  beforeAll(async () => {
    await awayFromUtcMidnight();
    const catalogFile = priceCatalogFile('story-1', [
      {
        provider: PROVIDER,
        model: MODEL,
        prices: {
          input_per_mtok: INPUT_PER_MTOK.toFixed(2),
          output_per_mtok: OUTPUT_PER_MTOK.toFixed(2),
        },
      },
    ]);
    stripe = await FakeStripeServer.start();
    await receiver.start();
    // One environment for every service: each reads only its own variables.
    platform = new ServiceHarness(undefined, {
      METERING_CATALOG_FILE: catalogFile,
      LEDGER_CATALOG_FILE: catalogFile,
      LEDGER_RECONCILIATION_INTERVAL_MS: '0',
      STRIPE_SECRET_KEY: 'sk_test_story',
      STRIPE_WEBHOOK_SECRET,
      STRIPE_API_URL: stripe.url,
      ADMIN_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    });
    await platform.start('metering', 'ledger', 'topup', 'alerting', 'admin');
    rated = await platform.kafka.record(platform.topic('usage.rated'));
    transactions = await platform.kafka.record(platform.topic('ledger.transactions'));
    balances = await platform.kafka.record(platform.topic('ledger.balance-changed'));
    payments = await platform.kafka.record(platform.topic('payments.events'));
    alertsFired = await platform.kafka.record(platform.topic('alerts.fired'));
    ledgerCommands = await new CommandClient(
      platform.isolation.kafkaBrokers,
      platform.isolation.suffix,
      ['ledger.reconcile'],
    ).connect();
  }, 180_000);

  afterAll(async () => {
    await ledgerCommands?.close();
    await platform?.stop();
    await receiver.stop();
    await stripe?.stop();
  });

  it('the operator opens the account: plan, monthly budget, API key, alert channel, a saved card', async () => {
    const minted = await admin<Json>(
      'POST',
      '/v1/tokens',
      { role: 'admin', name: 'story operator' },
      BOOTSTRAP_TOKEN,
    );
    expect(minted.status).toBe(201);
    operatorToken = String(minted.body['token']);

    expect(
      (
        await admin('PUT', `/v1/plans/${PLAN}`, {
          markup_percent_paid: MARKUP_PERCENT.toFixed(),
          markup_percent_free: '0',
          volume_discount_tiers: [
            { from_tokens: TIER_FROM_TOKENS, percent: TIER_PERCENT.toFixed() },
          ],
        })
      ).status,
    ).toBe(200);
    expect(
      (await admin('POST', '/v1/accounts', { account_id: ACCOUNT, name: 'Story GmbH' })).status,
    ).toBe(201);
    expect((await admin('PUT', mine('/plan'), { plan: PLAN })).status).toBe(200);
    const budget = await admin('PUT', mine('/budget'), {
      period: 'monthly',
      reset_day: 1,
      limit: ALLOWANCE.toFixed(2),
      hard_limit: true,
    });
    expect(budget.status).toBe(200);

    const key = await admin<Json>('POST', mine('/api-keys'), { name: GATEWAY });
    expect(key.status).toBe(201);
    keys.set(GATEWAY, {
      api_key_id: String(key.body['api_key_id']),
      secret: String(key.body['secret']),
    });
    const tenant = await admin<Json>('POST', '/v1/tokens', {
      role: 'tenant',
      account_id: ACCOUNT,
      name: 'story customer',
    });
    expect(tenant.status).toBe(201);
    tenantToken = String(tenant.body['token']);

    // The receiver answers the first delivery 500: alerting retries it under the same id.
    const channel = await admin<Json>('PUT', mine('/alert-channels'), {
      type: 'webhook',
      url: receiver.endpoint('/alerts', { behavior: { kind: 'fail', times: 1 } }),
      kinds: ALERT_KINDS,
      custom_thresholds: [{ amount: CUSTOM_THRESHOLD.toFixed(2) }],
    });
    expect(channel.status).toBe(200);
    expect(channel.body['signing_secret']).toMatch(/^whsec_/);
    receiver.setSecret('/alerts', String(channel.body['signing_secret']));

    // A card saved through a setup session turns auto top-up on with the defaults; Stripe
    // sends the session's completion and its SetupIntent's success.
    const setup = await admin<Json>('POST', mine('/topups/setup'), {});
    expect(setup.status).toBe(201);
    const session = stripe.completeCheckout(String(setup.body['session_id']));
    expect(await stripeSends(stripe.event('checkout.session.completed', session))).toBe('handled');
    await stripeSends(
      stripe.event('setup_intent.succeeded', stripe.object(String(session['setup_intent']))),
    );
    await eventually(async () =>
      expect(await autoTopUpState()).toMatchObject({ enabled: true, state: 'idle' }),
    );
    const settings = await admin<Json>('PUT', mine('/auto-topup'), {
      trigger_below_percent: TRIGGER_BELOW_PERCENT,
    });
    expect(settings).toEqual({
      status: 200,
      body: expect.objectContaining({
        enabled: true,
        amount_paid: wireAmount(AUTO_PACK.paid),
        paid_currency: 'CHF',
        credit_amount: wireAmount(AUTO_PACK.credit),
        trigger_below_percent: TRIGGER_BELOW_PERCENT,
        monthly_limit: '300.000000',
      }),
    });
  });

  it('the customer buys a credit pack through Checkout: Stripe says so three times, it credits once', async () => {
    const checkout = await admin<Json>(
      'POST',
      mine('/topups/checkout'),
      { amount_paid: MANUAL_PACK.paid.toFixed(2) },
      tenantToken,
    );
    expect(checkout).toEqual({
      status: 201,
      body: expect.objectContaining({
        credit_amount: wireAmount(MANUAL_PACK.credit),
        paid_amount: wireAmount(MANUAL_PACK.paid),
        paid_currency: 'CHF',
        dry_run: false,
      }),
    });
    const session = stripe.completeCheckout(String(checkout.body['session_id']));
    manualPaymentIntent = String(session['payment_intent']);
    const completed = stripe.event('checkout.session.completed', session);
    expect(await stripeSends(completed)).toBe('handled');
    expect(await stripeSends(completed)).toBe('duplicate');
    await stripeSends(stripe.event('payment_intent.succeeded', stripe.object(manualPaymentIntent)));
    creditAdded = creditAdded.plus(MANUAL_PACK.credit);

    await eventually(async () =>
      expect(
        (await admin<Json>('GET', mine('/budget-status'), undefined, tenantToken)).body,
      ).toMatchObject({
        used: '0.000000',
        remaining: wireAmount(ALLOWANCE),
        extra_credit_remaining: wireAmount(MANUAL_PACK.credit),
        available: wireAmount(funds()),
        available_percent: fundsPercent(),
        alert_level: 'GREEN',
      }),
    );
  });

  it('reserves the worst case of a call, then sends usage: the reserved call, plain, duplicated and malformed events', async () => {
    const worstCase = priced({ input: 1_000_000, output: 200_000 }, 0).charged;
    const reserve = {
      service: 'llm',
      provider: PROVIDER,
      model: MODEL,
      input_tokens: 1_000_000,
      max_output_tokens: 200_000,
      request_id: 'story-call-1',
    };
    const held = await authorize(reserve);
    expect(held).toEqual({
      status: 201,
      body: expect.objectContaining({
        authorized: true,
        amount: wireAmount(worstCase),
        available: wireAmount(funds().minus(worstCase)),
        available_percent: fundsPercent(),
        alert_level: 'GREEN',
      }),
    });
    reservationId = String(held.body['reservation_id']);

    const reserved = usage(LARGE, { reservation: reservationId });
    const first = usage(SMALL);
    const second = usage(SMALL);
    const negative = usage(SMALL);
    negative.data['output_tokens'] = -20_000;
    spend.add(GATEWAY, LARGE, SMALL, SMALL);
    await send(reserved, first, JSON.stringify(negative), first, second, reserved);
    await send(second);

    // The reserved call settled its hold at what it cost: nothing is held any more.
    expect(await charged()).toMatchObject({ available: wireAmount(funds()), alert_level: 'GREEN' });
    // The same request again answers the same reservation and holds nothing more.
    const repeated = await authorize(reserve);
    expect(repeated.body).toMatchObject({
      authorized: true,
      reservation_id: reservationId,
      amount: wireAmount(worstCase),
      available: wireAmount(funds()),
    });
  });

  it('spend passes the soft limit, YELLOW and the allowance while the ledger is killed mid-stream', async () => {
    spend.add(GATEWAY, LARGE);
    await send(usage(LARGE));
    await charged();
    // This call crosses the plan's volume tier: its tokens past 3,000,000 get 20 % off.
    const crossing = usage(LARGE);
    spend.add(GATEWAY, LARGE);
    await send(crossing);
    await crash('ledger');
    await send(crossing);
    await charged();
    // A level alert's percent is the spend percent the balance showed: 100 − available_percent.
    const [yellow] = await firedAlerts('threshold', ['YELLOW']);
    expect(yellow!['percent']).toBe(100 - fundsPercent());
    await firedAlerts('soft_limit', ['YELLOW']);
    // Set minutes ago, the budget projects its spend: over the allowance now, not before.
    const [overrun] = await firedAlerts('projected_overrun', ['YELLOW']);
    expect(overrun).toMatchObject({ amount: wireAmount(spend.charged) });
  });

  it('spend passes ORANGE and the custom threshold while alerting is killed', async () => {
    spend.add(GATEWAY, LARGE);
    await send(usage(LARGE));
    await crash('alerting');
    await charged();
    const levels = await firedAlerts('threshold', ['YELLOW', 'ORANGE']);
    expect(levels.find((alert) => alert['level'] === 'ORANGE')!['percent']).toBe(
      100 - fundsPercent(),
    );
    const [custom] = await firedAlerts('custom_threshold', ['ORANGE']);
    expect(custom).toMatchObject({ amount: wireAmount(CUSTOM_THRESHOLD) });
  });

  it('falling below the trigger charges the saved card, which is declined: auto top-up pauses and says so', async () => {
    stripe.nextPaymentIntents('card_declined', 'processing');
    spend.add(GATEWAY, SMALL, SMALL);
    await send(usage(SMALL), usage(SMALL));
    await charged();
    await eventually(
      async () => expect(await autoTopUpState()).toMatchObject({ state: 'paused' }),
      30_000,
    );
    await firedAlerts('auto_topup_failed', ['ORANGE']);
    await firedAlerts('auto_topup_paused', ['ORANGE']);
    await crash('topup');

    // Meanwhile spend passes RED, and a call the funds cannot cover is refused.
    spend.add(GATEWAY, SMALL);
    await send(usage(SMALL));
    await charged();
    const red = (await firedAlerts('threshold', ['YELLOW', 'ORANGE', 'RED'])).find(
      (alert) => alert['level'] === 'RED',
    );
    expect(red!['percent']).toBe(100 - fundsPercent());
    expect(await authorize({ estimated_cost: '2.00' })).toEqual({
      status: 402,
      body: expect.objectContaining({
        authorized: false,
        error_code: 'BUDGET_EXHAUSTED',
        available: wireAmount(funds()),
        alert_level: 'RED',
      }),
    });
  });

  it('a new card ends the pause: the last balance is charged again, once, and Stripe leaves it processing', async () => {
    const setup = await admin<Json>('POST', mine('/topups/setup'), {}, tenantToken);
    expect(setup.status).toBe(201);
    const session = stripe.completeCheckout(String(setup.body['session_id']));
    expect(await stripeSends(stripe.event('checkout.session.completed', session))).toBe('handled');
    await eventually(
      async () => expect(await autoTopUpState()).toMatchObject({ state: 'pending' }),
      30_000,
    );
    // Pending from its decision's commit; the card is charged right after.
    const charges = await eventually(() => {
      const offSession = stripe
        .objectsOf<{ id: string; off_session: boolean }>('payment_intent')
        .filter((intent) => intent.off_session);
      expect(offSession).toEqual([
        expect.objectContaining({
          amount: 3000,
          currency: 'chf',
          status: 'requires_payment_method',
        }),
        expect.objectContaining({ amount: 3000, currency: 'chf', status: 'processing' }),
      ]);
      return offSession;
    });
    declinedPaymentIntent = charges[0]!.id;
    autoPaymentIntent = charges[1]!.id;
    // One Stripe idempotency key per decision: the declined balance's, then its retry's.
    const idempotencyKeys = stripe
      .requestsTo('POST', '/v1/payment_intents')
      .map((request) => request.idempotencyKey);
    expect(new Set(idempotencyKeys).size).toBe(2);

    // The ledger learns the state from topup.status-changed: a refusal names it.
    await eventually(async () =>
      expect(await authorize({ estimated_cost: '2.00' })).toEqual({
        status: 402,
        body: expect.objectContaining({
          error_code: 'AUTO_TOPUP_PENDING',
          available: wireAmount(funds()),
        }),
      }),
    );
    expect(
      (await admin<Page>('GET', mine('/topups'))).body.items.map((entry) => [
        entry['kind'],
        entry['trigger'],
        entry['status'],
      ]),
    ).toEqual([
      ['auto_purchase', 'auto', 'pending'],
      ['failed', 'auto', 'failed'],
      ['purchase', 'manual', 'succeeded'],
    ]);
  });

  it('the charge succeeds: its webhook, delivered twice, credits once, and the levels resolve', async () => {
    // A caller that can wait for the pending top-up's credit says so, before it arrives.
    const waiting = authorize({ estimated_cost: '2.00', wait_ms: 25_000 });
    const succeeded = stripe.event(
      'payment_intent.succeeded',
      stripe.succeedPaymentIntent(autoPaymentIntent),
    );
    expect(await stripeSends(succeeded)).toBe('handled');
    expect(await stripeSends(succeeded)).toBe('duplicate');
    creditAdded = creditAdded.plus(AUTO_PACK.credit);

    await eventually(async () =>
      expect(await budgetStatus()).toMatchObject({
        extra_credit_remaining: wireAmount(funds()),
        alert_level: 'GREEN',
      }),
    );
    await eventually(
      async () =>
        expect(
          (await alertsListed('kind=threshold&state=resolved')).map((a) => a['level']).sort(),
        ).toEqual(['ORANGE', 'RED', 'YELLOW']),
      60_000,
      200,
    );
    expect(await autoTopUpState()).toMatchObject({
      state: 'cooldown',
      month_auto_paid: wireAmount(AUTO_PACK.paid),
    });
    // The waiting call was held once the credit landed; it is released unused.
    const held = await waiting;
    expect(held).toEqual({
      status: 201,
      body: expect.objectContaining({ authorized: true, amount: '2.000000' }),
    });
    expect(await budgetStatus()).toMatchObject({ available: wireAmount(funds().minus(2)) });
    const released = await fetch(
      urlOf('ledger', `/v1/authorizations/${String(held.body['reservation_id'])}`),
      { method: 'DELETE', headers: { authorization: `Bearer ${keyOf(GATEWAY).secret}` } },
    );
    expect(released.status).toBe(204);
  });

  it('the manual pack is refunded in two parts; the older total arriving late takes nothing', async () => {
    const partly = stripe.event(
      'charge.refunded',
      stripe.refund(manualPaymentIntent, FIRST_REFUND.paid.times(100).toNumber()),
    );
    expect(await stripeSends(partly)).toBe('handled');
    const fully = stripe.event('charge.refunded', stripe.refund(manualPaymentIntent));
    expect(await stripeSends(fully)).toBe('handled');
    // Stripe sends the first one's state once more, under an event id of its own.
    await stripeSends({ ...partly, id: `${String(partly['id'])}_late` });
    creditAdded = creditAdded.minus(MANUAL_PACK.credit);

    await eventually(async () =>
      expect(await budgetStatus()).toMatchObject({ extra_credit_remaining: wireAmount(funds()) }),
    );
  });

  it('the operator rewards the customer with a bonus and a coupon, each taken once', async () => {
    const bonus = {
      amount: BONUS.toFixed(2),
      kind: 'bonus',
      reason: 'loyalty',
      idempotency_key: 'story-loyalty',
    };
    const granted = await admin<Json>('POST', mine('/credits'), bonus);
    expect(granted).toEqual({
      status: 201,
      body: {
        transaction_id: expect.any(String),
        kind: 'bonus',
        amount: wireAmount(BONUS),
        posted_at: expect.any(String),
      },
    });
    expect(await admin('POST', mine('/credits'), bonus)).toEqual({
      status: 200,
      body: granted.body,
    });
    creditAdded = creditAdded.plus(BONUS);

    const coupon = {
      code: 'STORY10',
      kind: 'percent',
      percent: COUPON_PERCENT.toFixed(),
      duration_days: 30,
    };
    expect((await admin('POST', '/v1/coupons', coupon)).status).toBe(201);
    const redeemed = await admin<Json>(
      'POST',
      mine('/coupons/redeem'),
      { code: 'story10' },
      tenantToken,
    );
    expect(redeemed).toEqual({
      status: 201,
      body: expect.objectContaining({ account_id: ACCOUNT, code: 'STORY10', kind: 'percent' }),
    });
    expect(
      await admin<Json>('POST', mine('/coupons/redeem'), { code: 'STORY10' }, tenantToken),
    ).toEqual({
      status: 409,
      body: expect.objectContaining({ error_code: 'COUPON_ALREADY_REDEEMED' }),
    });
    spend.couponPercent = COUPON_PERCENT;
    await eventually(async () =>
      expect(await budgetStatus()).toMatchObject({ extra_credit_remaining: wireAmount(funds()) }),
    );
  });

  it('the customer gives a second key a daily budget of its own: it alerts under its id, and its refusal names it', async () => {
    const created = await admin<Json>('POST', mine('/api-keys'), { name: BATCH }, tenantToken);
    expect(created.status).toBe(201);
    const batch = {
      api_key_id: String(created.body['api_key_id']),
      secret: String(created.body['secret']),
    };
    keys.set(BATCH, batch);
    const budget = await admin(
      'PUT',
      mine(`/api-keys/${batch.api_key_id}/budget`),
      { period: 'daily', limit: KEY_LIMIT.toFixed(2), hard_limit: true },
      tenantToken,
    );
    expect(budget.status).toBe(200);
    spend.add(BATCH, SMALL, SMALL);
    await send(usage(SMALL, { key: BATCH }), usage(SMALL, { key: BATCH }));
    await charged();
    const keySpent = spend.byKey.get(BATCH)!.charged;
    const keyStatus = (
      await admin<Json>('GET', mine(`/budget-status?api_key_id=${batch.api_key_id}`))
    ).body;
    expect(keyStatus).toMatchObject({
      api_key_id: batch.api_key_id,
      used: wireAmount(keySpent),
      remaining: wireAmount(KEY_LIMIT.minus(keySpent)),
      available: wireAmount(KEY_LIMIT.minus(keySpent)),
      alert_level: 'YELLOW',
    });
    const keyAlerts = await eventually(
      async () => {
        const ofKey = (await alertsListed('state=fired')).filter(
          (alert) => alert['api_key_id'] === batch.api_key_id,
        );
        expect(ofKey.map((alert) => [alert['kind'], alert['level']])).toEqual([
          ['threshold', 'YELLOW'],
        ]);
        return ofKey;
      },
      60_000,
      200,
    );
    // Its percent is the key's spend of its own budget, as the key's available_percent says.
    expect(keyAlerts[0]!['percent']).toBe(100 - Number(keyStatus['available_percent']));
    // Half of the key's budget is more than it has left, though the account has plenty.
    expect(await authorize({ estimated_cost: KEY_LIMIT.div(2).toFixed(2) }, BATCH)).toEqual({
      status: 402,
      body: expect.objectContaining({
        authorized: false,
        error_code: 'API_KEY_BUDGET_EXHAUSTED',
        available: wireAmount(KEY_LIMIT.minus(keySpent)),
      }),
    });
    // admin's read models survive a crash: everything below is read after it.
    await crash('admin');
  });

  it('every service tells the same story, to the cent', async () => {
    const spent = spend.charged;
    const creditLeft = funds();
    // Spent: every allowance cent, then credit; nothing owed.
    expect(spent.greaterThan(ALLOWANCE)).toBe(true);

    // The ledger's balance as admin shows it, in the budget status and the account.
    const status = await budgetStatus();
    expect(status).toMatchObject({
      used: wireAmount(spent),
      remaining: '0.000000',
      extra_credit_remaining: wireAmount(creditLeft),
      available: wireAmount(creditLeft),
      available_percent: fundsPercent(),
      alert_level: 'GREEN',
      over_soft_limit: true,
      over_hard_limit: false,
      overage: '0.000000',
    });
    const account = (await admin<Json>('GET', mine())).body;
    // What admin projected of top-up's state is what top-up answers.
    const { enabled, state, month_auto_paid, monthly_limit } = await autoTopUpState();
    expect(account['auto_topup']).toMatchObject({ enabled, state, month_auto_paid, monthly_limit });
    expect(account['balance']).toMatchObject({
      allowance: wireAmount(ALLOWANCE),
      used: wireAmount(spent),
      extra_credit_remaining: wireAmount(creditLeft),
      available: wireAmount(creditLeft),
      alert_level: 'GREEN',
    });
    const announced = balances
      .json<BalanceChanged>()
      .filter((balance) => balance.account_id === ACCOUNT && balance.api_key_id === null);
    expect(announced.at(-1)).toMatchObject({
      used: wireAmount(spent),
      extra_credit_remaining: wireAmount(creditLeft),
      available: wireAmount(creditLeft),
    });
    const sequences = announced.map((balance) => balance.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);

    // metering rated each distinct event once, at the catalog's prices; the ledger charged
    // each once, on the plan, and settled the reservation with the call that named it.
    const ratedHere = rated.json<UsageRated>().filter((rating) => rating.account_id === ACCOUNT);
    expect(ratedHere).toHaveLength(spend.requests);
    expect(new Set(ratedHere.map((rating) => rating.id)).size).toBe(spend.requests);
    expect(wireAmount(sum(ratedHere.map((rating) => rating.cost)))).toBe(wireAmount(spend.cost));
    const lines = transactions
      .json<LedgerTransaction>()
      .filter((transaction) => transaction.account_id === ACCOUNT)
      .flatMap((transaction) => transaction.lines ?? []);
    expect(lines).toHaveLength(spend.requests);
    expect(new Set(lines.map((line) => line.usage_id)).size).toBe(spend.requests);
    expect(wireAmount(sum(lines.map((line) => line.cost)))).toBe(wireAmount(spend.cost));
    expect(wireAmount(sum(lines.map((line) => line.charged)))).toBe(wireAmount(spent));
    expect(lines.filter((line) => line.reservation_id !== null)).toEqual([
      expect.objectContaining({
        reservation_id: reservationId,
        charged: wireAmount(priced(LARGE, 0).charged),
      }),
    ]);

    // admin's rollups: tokens and requests from metering, cost as the ledger charged it. Its
    // usage.rated and ledger.transactions consumers are apart: the last events' tokens may be
    // applied only after the restarted admin has its partitions back, so the rollup is awaited.
    const rollup = { cost: wireAmount(spent), tokens: spend.tokens, requests: spend.requests };
    await eventually(
      async () => {
        const byKey = await admin<Page>('GET', mine('/usage?group_by=model,provider,api_key'));
        expect(
          [...byKey.body.items].sort((a, b) =>
            String(a['api_key']).localeCompare(String(b['api_key'])),
          ),
        ).toEqual(
          [GATEWAY, BATCH]
            .map((name) => {
              const ofKey = spend.byKey.get(name)!;
              return {
                model: MODEL,
                provider: PROVIDER,
                api_key: keyOf(name).api_key_id,
                cost: wireAmount(ofKey.charged),
                tokens: ofKey.tokens,
                requests: ofKey.requests,
              };
            })
            .sort((a, b) => a.api_key.localeCompare(b.api_key)),
        );
      },
      60_000,
      200,
    );
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const total = await admin<Page>(
      'GET',
      mine(`/usage?group_by=day&from=${today}&to=${tomorrow}`),
    );
    expect(total.body.items).toEqual([{ day: today, ...rollup }]);
    const summary = (await admin<Json>('GET', '/v1/analytics/summary?days=1')).body;
    expect(summary).toMatchObject({
      accounts: 1,
      alert_levels: { GREEN: 1, YELLOW: 0, ORANGE: 0, RED: 0, CRITICAL: 0 },
      extra_credit_remaining: wireAmount(creditLeft),
      window: rollup,
    });
    const spenders = await admin<Page>('GET', '/v1/analytics/top-spenders?days=1&limit=10');
    expect(spenders.body.items).toEqual([
      expect.objectContaining({ account_id: ACCOUNT, spend: wireAmount(spent) }),
    ]);

    // admin's transactions: usage funded by the allowance first, then credit; the payments.
    const listed = (await admin<Page>('GET', mine('/transactions?limit=500'))).body.items;
    const ofKind = (kind: string) => listed.filter((item) => item['kind'] === kind);
    const funding = (part: string) =>
      wireAmount(sum(ofKind('usage').map((item) => (item['funding'] as Json)[part] as string)));
    expect(wireAmount(sum(ofKind('usage').map((item) => item['amount'] as string)))).toBe(
      wireAmount(spent.negated()),
    );
    // The bonus came after the paid credit, but is spent first: all of the batch key's spend.
    const fromBonus = spend.byKey.get(BATCH)!.charged;
    expect([funding('allowance'), funding('credit'), funding('bonus'), funding('overage')]).toEqual(
      [
        wireAmount(ALLOWANCE),
        wireAmount(spent.minus(ALLOWANCE).minus(fromBonus)),
        wireAmount(fromBonus),
        '0.000000',
      ],
    );
    expect(ofKind('bonus').map((item) => item['amount'])).toEqual([wireAmount(BONUS)]);
    expect(ofKind('purchase').map((item) => item['amount'])).toEqual([
      wireAmount(AUTO_PACK.credit),
      wireAmount(MANUAL_PACK.credit),
    ]);
    // Both refunds may be posted in one slice, at one instant: their order is not the story's.
    expect(
      ofKind('purchase_refund')
        .map((item) => item['amount'])
        .sort(),
    ).toEqual(
      [
        wireAmount(MANUAL_PACK.credit.minus(FIRST_REFUND.credit).negated()),
        wireAmount(FIRST_REFUND.credit.negated()),
      ].sort(),
    );
    const csv = await fetch(urlOf('admin', mine('/transactions.csv')), {
      headers: { authorization: `Bearer ${operatorToken}` },
    });
    const csvRows = (await csv.text()).trim().split('\n').slice(1);
    expect(csvRows.map((row) => row.split(',').slice(0, 3))).toEqual(
      listed.map((item) => [item['transaction_id'], item['kind'], item['amount']]),
    );

    // Top-up's history, payments.events and admin's payments: each payment once, exact.
    const history = (await admin<Page>('GET', mine('/topups'))).body.items;
    expect(
      history.map((entry) => [
        entry['kind'],
        entry['trigger'],
        entry['status'],
        entry['credit_amount'],
        entry['paid_amount'],
        entry['paid_currency'],
      ]),
    ).toEqual([
      [
        'refund',
        'manual',
        'succeeded',
        wireAmount(MANUAL_PACK.credit.minus(FIRST_REFUND.credit)),
        wireAmount(MANUAL_PACK.paid.minus(FIRST_REFUND.paid)),
        'CHF',
      ],
      [
        'refund',
        'manual',
        'succeeded',
        wireAmount(FIRST_REFUND.credit),
        wireAmount(FIRST_REFUND.paid),
        'CHF',
      ],
      [
        'auto_purchase',
        'auto',
        'succeeded',
        wireAmount(AUTO_PACK.credit),
        wireAmount(AUTO_PACK.paid),
        'CHF',
      ],
      ['failed', 'auto', 'failed', '0.000000', wireAmount(AUTO_PACK.paid), 'CHF'],
      [
        'purchase',
        'manual',
        'succeeded',
        wireAmount(MANUAL_PACK.credit),
        wireAmount(MANUAL_PACK.paid),
        'CHF',
      ],
    ]);
    const paid = payments.json<PaymentEvent>().filter((payment) => payment.account_id === ACCOUNT);
    expect(
      paid.map((p) => [p.kind, p.trigger, p.credit_amount, p.paid_amount, p.stripe_ref]),
    ).toEqual([
      [
        'credit_purchased',
        'manual',
        wireAmount(MANUAL_PACK.credit),
        wireAmount(MANUAL_PACK.paid),
        manualPaymentIntent,
      ],
      ['credit_failed', 'auto', '0.000000', wireAmount(AUTO_PACK.paid), declinedPaymentIntent],
      [
        'credit_purchased',
        'auto',
        wireAmount(AUTO_PACK.credit),
        wireAmount(AUTO_PACK.paid),
        autoPaymentIntent,
      ],
      [
        'credit_refunded',
        'manual',
        wireAmount(FIRST_REFUND.credit),
        wireAmount(FIRST_REFUND.paid),
        manualPaymentIntent,
      ],
      [
        'credit_refunded',
        'manual',
        wireAmount(MANUAL_PACK.credit.minus(FIRST_REFUND.credit)),
        wireAmount(MANUAL_PACK.paid.minus(FIRST_REFUND.paid)),
        manualPaymentIntent,
      ],
    ]);
    const adminPayments = (await admin<Page>('GET', mine('/payments'))).body.items;
    expect(adminPayments.map((p) => [p['kind'], p['credit_amount']])).toEqual(
      [...paid].reverse().map((p) => [p.kind, p.credit_amount]),
    );

    // Alerts: each condition fired once; the levels resolved once each; admin lists what
    // alerting announced; the receiver got each alert under one delivery id, signed.
    const alerts = alertsFired.json<AlertFired>().filter((alert) => alert.account_id === ACCOUNT);
    expect(new Set(alerts.map((alert) => alert.id)).size).toBe(alerts.length);
    const said = alerts
      .map(
        (alert) =>
          `${alert.state} ${alert.kind} ${alert.level}${alert.api_key_id === null ? '' : ' of the batch key'}`,
      )
      .sort();
    expect(said).toEqual(
      [
        'fired projected_overrun YELLOW',
        'fired soft_limit YELLOW',
        'fired threshold YELLOW',
        'fired custom_threshold ORANGE',
        'fired threshold ORANGE',
        'fired threshold RED',
        'resolved threshold YELLOW',
        'resolved threshold ORANGE',
        'resolved threshold RED',
        'fired auto_topup_failed ORANGE',
        'fired auto_topup_paused ORANGE',
        'resolved auto_topup_failed ORANGE',
        'resolved auto_topup_paused ORANGE',
        'fired threshold YELLOW of the batch key',
      ].sort(),
    );
    for (const resolved of alerts.filter((alert) => alert.state === 'resolved')) {
      expect(alerts.find((alert) => alert.id === resolved.resolves)).toMatchObject({
        state: 'fired',
        kind: resolved.kind,
        level: resolved.level,
      });
    }
    expect((await alertsListed('')).map((alert) => alert['alert_id']).sort()).toEqual(
      alerts.map((alert) => alert.id).sort(),
    );
    const received = receiver.at('/alerts');
    expect(received.every((request) => request.signatureValid)).toBe(true);
    const delivered = received.filter((request) => request.status === 200);
    expect(delivered.map((request) => request.body['id']).sort()).toEqual(
      alerts.map((alert) => alert.id).sort(),
    );
    expect(new Set(delivered.map((request) => request.deliveryId)).size).toBe(alerts.length);
    // The one answered 500 came again under its delivery id, and is counted as two attempts.
    const [failed] = received.filter((request) => request.status === 500);
    expect(delivered.filter((request) => request.deliveryId === failed!.deliveryId)).toHaveLength(
      1,
    );
    const deliveries = (await admin<Page>('GET', mine('/alert-deliveries?limit=100'))).body.items;
    expect(deliveries.map((delivery) => [delivery['status'], delivery['attempts']]).sort()).toEqual(
      alerts.map((alert) => ['delivered', alert.id === failed!.body['id'] ? 2 : 1]).sort(),
    );

    // The malformed event is a dead letter with its reason; nothing else is.
    const deadLetters = (await admin<Page>('GET', '/v1/dead-letters')).body.items;
    expect(deadLetters).toEqual([
      expect.objectContaining({
        service: 'metering',
        reason: 'negative_quantity',
        error: expect.stringContaining('data.output_tokens'),
        key: ACCOUNT,
      }),
    ]);

    // The books balance.
    expect(await ledgerCommands.send('ledger.reconcile', {})).toEqual({
      ok: true,
      postings_total: expect.stringMatching(/^0(\.0+)?$/),
      mismatches: [],
    });
  });
});
