import { Decimal } from 'decimal.js';
import type { AlertFired, BalanceChanged, LedgerTransaction } from '@tally/budget-domain';
import {
  awayFromUtcMidnight,
  CommandClient,
  createApiKey,
  eventually,
  priceCatalogFile,
  queryDatabase,
  ServiceHarness,
  usageEvent,
  WebhookReceiver,
  wireAmount,
} from '@tally/testing';
import type { TopicRecorder, UsageEventFixture } from '@tally/testing';
import { ALERTING_COMMAND_PATTERNS } from '../src/commands/commands.module';
import { webhookChannel } from './alerting.harness';

/*
 * Every figure alerting computes, shows and stores against the ledger's own books: its
 * balance-changed records, its budget status, its usage lines and its reconciliation. Metering,
 * the ledger and alerting run as processes. The story: an account on a plan with markup, a
 * monthly allowance and prepaid credit (grant, bonus, a purchase, its refund, a later purchase),
 * three keys (one with a budget of its own), holds settled, open and expired, usage in several
 * hours, an event sent twice and one re-sent with its time re-stamped across a UTC day, custom
 * thresholds in percent and amount, a webhook and a Slack channel. Nothing here predicts an
 * amount: each of alerting's figures must be the ledger's, exactly.
 */

const PROVIDER = 'alertfigures';
const LARGE = 'alert-large';
const SMALL = 'alert-small';
const SOURCE = 'gateway-alert-figures';
const ACCOUNT = 'acct_alert_figures';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const LEVELS = ['GREEN', 'YELLOW', 'ORANGE', 'RED', 'CRITICAL'] as const;
const BALANCE_KINDS = [
  'threshold',
  'soft_limit',
  'hard_limit',
  'projected_overrun',
  'custom_threshold',
];

type Json = Record<string, unknown>;

/** An amount as the wire writes it: exact, at least 6 decimals. */
/** An amount as a message shows it: exact, at least cents, in USD. */
const usd = (amount: Decimal.Value) => {
  const exact = new Decimal(amount);
  return `${exact.toFixed(Math.max(2, exact.decimalPlaces()))} USD`;
};
const hourOf = (instant: string | number) =>
  new Date(Math.floor(new Date(instant).getTime() / HOUR_MS) * HOUR_MS).toISOString();

function catalogFile(): string {
  return priceCatalogFile('alert-figures-1', [
    {
      provider: PROVIDER,
      model: LARGE,
      prices: { input_per_mtok: '2.00', output_per_mtok: '10.00' },
    },
    {
      provider: PROVIDER,
      model: SMALL,
      prices: { input_per_mtok: '0.30', output_per_mtok: '1.20' },
    },
  ]);
}

/**
 * What alerting should have published for a subject, worked out from the ledger's records
 * alone (DESIGN 3.5, 4; README): each level reached fires once (a jump announces the highest),
 * the soft and hard limits, a projection above the allowance, the custom thresholds; each
 * resolves once its condition no longer holds.
 */
function expectedBalanceAlerts(
  records: readonly BalanceChanged[],
  thresholds: { percent: number[]; amount: string[] },
): Json[] {
  const active = new Map<string, Json>();
  const announcedKeys = new Set<string>();
  const out: Json[] = [];
  let last = -1;
  for (const record of [...records].sort((a, b) => a.sequence - b.sequence)) {
    if (record.sequence <= last) continue;
    last = record.sequence;
    const subject = record.api_key_id === null ? ACCOUNT : `${ACCOUNT} (key ${record.api_key_id})`;
    const percent = 100 - record.available_percent;
    const base = { level: record.alert_level, percent, period_start: record.period.start };
    const used = new Decimal(record.used);
    const allowance = new Decimal(record.allowance);
    const holding = new Map<string, Json>();
    const reached = LEVELS.slice(1, LEVELS.indexOf(record.alert_level) + 1);
    for (const level of reached) {
      holding.set(`threshold:${level}`, {
        kind: 'threshold',
        ...base,
        level,
        message: `${subject}: ${percent}% of the period's funds spent (level ${level})`,
      });
    }
    if (record.over_soft_limit) {
      holding.set('soft_limit', {
        kind: 'soft_limit',
        ...base,
        message: `${subject}: soft limit crossed, ${usd(used)} of ${usd(allowance)} used`,
      });
    }
    if (record.over_hard_limit) {
      holding.set('hard_limit', {
        kind: 'hard_limit',
        ...base,
        message: `${subject}: hard limit reached, ${usd(used)} of ${usd(allowance)} used; spending beyond it is refused`,
      });
    }
    const projected = new Decimal(record.projected_period_cost ?? '0');
    if (allowance.greaterThan(0) && projected.greaterThan(allowance)) {
      const cents = projected.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
      holding.set('projected_overrun', {
        kind: 'projected_overrun',
        ...base,
        amount: record.projected_period_cost,
        message: `${subject}: projected to spend about ${usd(cents.greaterThan(allowance) ? cents : projected)} this period, above the allowance of ${usd(allowance)}`,
      });
    }
    if (record.api_key_id === null) {
      const spend = new Decimal(100).minus(
        new Decimal(record.remaining)
          .plus(record.extra_credit_remaining)
          .dividedBy(allowance)
          .times(100),
      );
      for (const threshold of thresholds.percent) {
        if (spend.lessThan(threshold)) continue;
        holding.set(`custom:percent:${threshold}`, {
          kind: 'custom_threshold',
          ...base,
          message: `${subject}: ${threshold}% spend threshold reached, ${percent}% of the period's funds spent`,
        });
      }
      for (const threshold of thresholds.amount) {
        if (used.lessThan(threshold)) continue;
        holding.set(`custom:amount:${threshold}`, {
          kind: 'custom_threshold',
          ...base,
          amount: wireAmount(threshold),
          message: `${subject}: spend threshold of ${usd(threshold)} reached, ${usd(used)} spent this period`,
        });
      }
    }
    for (const [key, fired] of [...active]) {
      if (holding.has(key)) continue;
      active.delete(key);
      // A level passed over in a jump was never announced: nothing to resolve either.
      if (!announcedKeys.delete(key)) continue;
      out.push({ ...fired, state: 'resolved', message: `Resolved: ${String(fired['message'])}` });
    }
    const fresh = [...holding].filter(([key]) => !active.has(key));
    const highest = Math.max(
      -1,
      ...fresh
        .filter(([, condition]) => condition['kind'] === 'threshold')
        .map(([, condition]) => LEVELS.indexOf(condition['level'] as (typeof LEVELS)[number])),
    );
    for (const [key, condition] of fresh) {
      const announced =
        condition['kind'] !== 'threshold' ||
        LEVELS.indexOf(condition['level'] as (typeof LEVELS)[number]) === highest;
      const fired = { api_key_id: record.api_key_id, ...condition, state: 'fired' };
      active.set(key, fired);
      if (!announced) continue;
      announcedKeys.add(key);
      out.push(fired);
    }
  }
  return out.map((alert) => ({ api_key_id: alert['api_key_id'] ?? null, ...alert }));
}

describe("every figure alerting shows is the ledger's, to the last decimal", () => {
  const catalog = catalogFile();
  const harness = new ServiceHarness(undefined, {
    KAFKA_PARTITIONS: '3',
    METERING_CATALOG_FILE: catalog,
    LEDGER_CATALOG_FILE: catalog,
    LEDGER_RECONCILIATION_INTERVAL_MS: '0',
    LEDGER_HOLD_SWEEP_INTERVAL_MS: '500',
    ALERTING_ANOMALY_WINDOW_HOURS: '6',
    ALERTING_ANOMALY_MIN_HISTORY_HOURS: '3',
    ALERTING_ANOMALY_MIN_SPEND: '0.50',
    ALERTING_ANOMALY_FACTOR: '5',
  });
  const receiver = new WebhookReceiver();
  const thresholds = { percent: [60], amount: ['1.00'] };
  const keys = new Map<string, { api_key_id: string; secret: string }>();
  const keyOf = (name: string) => {
    const key = keys.get(name);
    if (!key) throw new Error(`no API key ${name}`);
    return key;
  };
  let commands: CommandClient;
  let alerts: TopicRecorder;
  let balances: TopicRecorder;
  let transactions: TopicRecorder;
  let rated: TopicRecorder;
  let spikeHour = '';

  const schemaRows = <T>(service: string, sql: string, params: unknown[] = []) =>
    queryDatabase<T>(
      harness.isolation.databaseUrl,
      sql.replace(new RegExp(`\\b${service}\\.`, 'g'), `"${harness.isolation.schema(service)}".`),
      params,
    );
  const ok = async <T = Json>(pattern: string, request: Json): Promise<T> => {
    const reply = await commands.send<Json>(pattern, request);
    expect([pattern, reply['error_code']]).toEqual([pattern, undefined]);
    return reply as T;
  };
  const mine = () => alerts.json<AlertFired>().filter((alert) => alert.account_id === ACCOUNT);
  const recordsOf = (apiKeyId: string | null) =>
    balances
      .json<BalanceChanged>()
      .filter((record) => record.account_id === ACCOUNT && record.api_key_id === apiKeyId);

  function call(
    key: string,
    model: string,
    input: number,
    output: number,
    extra: { time?: string; reservation_id?: string } = {},
  ): UsageEventFixture {
    const { time, ...data } = extra;
    return usageEvent({
      source: SOURCE,
      subject: ACCOUNT,
      ...(time ? { time } : {}),
      data: {
        api_key_id: keyOf(key).api_key_id,
        provider: PROVIDER,
        model,
        input_tokens: input,
        output_tokens: output,
        ...data,
      },
    });
  }
  const send = (...events: UsageEventFixture[]) =>
    harness.kafka.produce(
      harness.topic('usage.events'),
      events.map((event) => ({ key: ACCOUNT, value: JSON.stringify(event) })),
    );
  const lines = () =>
    schemaRows<{ usage_id: string; hour: string; charged: string }>(
      'ledger',
      `SELECT usage_id, to_char(date_trunc('hour', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS hour,
              charged::text AS charged
       FROM ledger.usage_lines WHERE account_id = $1`,
      [ACCOUNT],
    );
  async function authorize(key: string, body: Json): Promise<Json> {
    const [ledger] = harness.running('ledger');
    if (!ledger) throw new Error('the ledger is not running');
    const answer = await fetch(`http://127.0.0.1:${ledger.port}/v1/authorizations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${keyOf(key).secret}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    const held = (await answer.json()) as Json;
    expect([answer.status, held['authorized']]).toEqual([201, true]);
    return held;
  }
  /** Top-up reports a payment, as its outbox writes it (DESIGN 3.4). */
  const pay = async (kind: string, id: string, credit: string, transactionKind: string) => {
    const before = await schemaRows<{ n: string }>(
      'ledger',
      `SELECT count(*)::text AS n FROM ledger.transactions WHERE account_id = $1 AND kind = $2`,
      [ACCOUNT, transactionKind],
    );
    await harness.kafka.produceJson(harness.topic('payments.events'), ACCOUNT, [
      {
        schema_version: 1,
        id,
        account_id: ACCOUNT,
        kind,
        trigger: 'manual',
        credit_amount: credit,
        paid_amount: new Decimal(credit).times(3).toFixed(2),
        paid_currency: 'CHF',
        stripe_ref: 'pi_alert_figures_1',
        at: new Date().toISOString(),
      },
    ]);
    await eventually(async () =>
      expect(
        await schemaRows<{ n: string }>(
          'ledger',
          `SELECT count(*)::text AS n FROM ledger.transactions WHERE account_id = $1 AND kind = $2`,
          [ACCOUNT, transactionKind],
        ),
      ).toEqual([{ n: String(Number(before[0]?.n ?? 0) + 1) }]),
    );
  };

  beforeAll(async () => {
    await awayFromUtcMidnight();
    await receiver.start();
    await harness.start('metering', 'ledger', 'alerting');
    commands = await new CommandClient(harness.isolation.kafkaBrokers, harness.isolation.suffix, [
      ...ALERTING_COMMAND_PATTERNS,
      'ledger.create-account',
      'ledger.create-api-key',
      'ledger.set-budget',
      'ledger.grant-credit',
      'ledger.budget-status',
      'ledger.reconcile',
      'ledger.set-plan',
      'ledger.assign-plan',
    ]).connect();
    alerts = await harness.kafka.record(harness.topic('alerts.fired'));
    balances = await harness.kafka.record(harness.topic('ledger.balance-changed'));
    transactions = await harness.kafka.record(harness.topic('ledger.transactions'));
    rated = await harness.kafka.record(harness.topic('usage.rated'));

    await ok('ledger.set-plan', { name: 'alert-figures-pro', markup_percent_paid: '10' });
    await ok('ledger.create-account', { account_id: ACCOUNT, name: 'Alerting figures' });
    await ok('ledger.assign-plan', { account_id: ACCOUNT, plan: 'alert-figures-pro' });
    await ok('ledger.set-budget', {
      account_id: ACCOUNT,
      period: 'monthly',
      reset_day: 1,
      limit: '2.00',
      hard_limit: false,
    });
    for (const name of ['k-gateway', 'k-batch', 'k-tools']) {
      keys.set(name, await createApiKey(commands, ACCOUNT, name));
    }
    await ok('ledger.set-budget', {
      account_id: ACCOUNT,
      api_key_id: keyOf('k-batch').api_key_id,
      period: 'monthly',
      reset_day: 1,
      limit: '0.30',
      hard_limit: false,
    });
    await webhookChannel(commands, receiver, ACCOUNT, {
      path: '/webhook',
      settings: { custom_thresholds: [{ percent: 60 }, { amount: '1.00' }] },
    });
    receiver.endpoint('/slack');
    await ok('alerting.set-channel', {
      account_id: ACCOUNT,
      type: 'slack',
      url: receiver.url('/slack'),
    });
    for (const [amount, kind] of [
      ['0.20', 'grant'],
      ['0.10', 'bonus'],
    ] as const) {
      await ok('ledger.grant-credit', {
        account_id: ACCOUNT,
        amount,
        kind,
        reason: `alert figures ${kind}`,
        idempotency_key: `alert-figures-${kind}`,
      });
    }
    await pay('credit_purchased', 'pay_alert_figures_1', '0.30', 'purchase');
  }, 240_000);

  afterAll(async () => {
    await commands?.close();
    await harness.stop();
    await receiver.stop();
  });

  it('sends the story: usage in several hours, a repeat, a re-stamped retry, holds, a refund and a top-up', async () => {
    const now = Date.now();
    const ago = (hours: number) => new Date(now - hours * HOUR_MS).toISOString();
    const yesterday = new Date(now - DAY_MS).toISOString();
    // Hours of ordinary spend before the spike, and a repeated event (counted once).
    const history = [5, 4, 3, 2, 1].map((hours) =>
      call('k-gateway', SMALL, 100_000, 10_000, { time: ago(hours) }),
    );
    const repeated = call('k-batch', LARGE, 50_000, 5_000, { time: ago(2) });
    // An event first stamped yesterday, and another of yesterday, outside the anomaly window.
    const restamped = call('k-tools', SMALL, 200_000, 20_000, { time: yesterday });
    const earlier = call('k-tools', LARGE, 200_000, 20_000, { time: yesterday });
    // A hold that expires unsettled, and one that stays open: `available` only.
    await authorize('k-gateway', { estimated_cost: '0.10', request_id: 'expires', ttl_seconds: 1 });
    await authorize('k-tools', { estimated_cost: '0.25', request_id: 'open' });
    await send(restamped, earlier, ...history, repeated, repeated);
    await eventually(async () => expect(await lines()).toHaveLength(8), 120_000, 200);

    // The producer retries the first event with its time re-stamped to now, across the UTC day:
    // metering's dedupe looks in the day of the event's time (ADR 0041) and rates it again; the
    // ledger posts it once.
    await send({ ...restamped, time: new Date().toISOString() });
    await eventually(async () =>
      expect(
        rated.json<{ id: string }>().filter((rating) => rating.id === restamped.id),
      ).toHaveLength(2),
    );
    // The spike of this hour, settling a hold.
    const held = await authorize('k-gateway', { estimated_cost: '1.00', request_id: 'settled' });
    const spike = call('k-gateway', LARGE, 300_000, 30_000, {
      reservation_id: String(held['reservation_id']),
    });
    spikeHour = hourOf(spike.time);
    await send(spike);
    await eventually(async () => expect(await lines()).toHaveLength(9), 120_000, 200);
    await eventually(
      () => expect(mine().filter((alert) => alert.kind === 'anomaly')).toHaveLength(1),
      60_000,
    );

    // The purchase is refunded, then credit is bought again.
    await pay('credit_refunded', 'pay_alert_figures_2', '0.30', 'purchase_refund');
    await pay('credit_purchased', 'pay_alert_figures_3', '1.00', 'purchase');
    const [settled] = await schemaRows<{ reservation_id: string | null }>(
      'ledger',
      `SELECT reservation_id FROM ledger.usage_lines WHERE usage_id = $1`,
      [spike.id],
    );
    expect(settled?.reservation_id).toBe(held['reservation_id']);
    await eventually(async () =>
      expect(
        await schemaRows(
          'ledger',
          `SELECT status FROM ledger.reservations WHERE account_id = $1 ORDER BY status`,
          [ACCOUNT],
        ),
      ).toEqual([{ status: 'expired' }, { status: 'held' }, { status: 'settled' }]),
    );
  }, 300_000);

  it("alerting's hourly spend, stored and in the anomaly alert, is what the ledger charged each hour", async () => {
    const posted = await lines();
    const byHour = new Map<string, { cost: Decimal; events: number }>();
    for (const line of posted) {
      const hour = byHour.get(line.hour) ?? { cost: new Decimal(0), events: 0 };
      byHour.set(line.hour, { cost: hour.cost.plus(line.charged), events: hour.events + 1 });
    }
    const expected = [...byHour]
      .map(([hour, { cost, events }]) => ({ hour, cost: wireAmount(cost), events }))
      .sort((a, b) => a.hour.localeCompare(b.hour));
    const stored = await schemaRows<{ hour: string; cost: string; events: number }>(
      'alerting',
      `SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS hour,
              cost::text AS cost, events
       FROM alerting.usage_rollups WHERE account_id = $1 ORDER BY hour`,
      [ACCOUNT],
    );

    const spend = byHour.get(spikeHour)?.cost ?? new Decimal(0);
    const windowStart = new Date(spikeHour).getTime() - 6 * HOUR_MS;
    const trailing = [...byHour]
      .filter(([hour]) => {
        const at = new Date(hour).getTime();
        return at >= windowStart && at < new Date(spikeHour).getTime();
      })
      .reduce((total, [, hour]) => total.plus(hour.cost), new Decimal(0));
    const mean = trailing.dividedBy(6);
    const [anomaly] = mine().filter((alert) => alert.kind === 'anomaly');
    expect({
      rollups: stored.map((row) => ({ ...row, cost: wireAmount(row.cost) })),
      anomaly: [anomaly?.state, anomaly?.amount, anomaly?.period_start, anomaly?.message],
    }).toEqual({
      rollups: expected,
      anomaly: [
        'fired',
        wireAmount(spend),
        spikeHour,
        `${ACCOUNT}: ${usd(spend)} spent in the hour from ${spikeHour}, ${spend.dividedBy(mean).toDecimalPlaces(1, Decimal.ROUND_HALF_EVEN).toString()}x the trailing 6-hour mean of ${usd(mean)}`,
      ],
    });
  });

  it("alerting's level, limit, projection and custom-threshold alerts follow the ledger's records", async () => {
    const account = await ok<Json>('ledger.budget-status', { account_id: ACCOUNT });
    const key = await ok<Json>('ledger.budget-status', {
      account_id: ACCOUNT,
      api_key_id: keyOf('k-batch').api_key_id,
    });
    // Alerting has applied the ledger's last records: both equal the status the ledger answers.
    await eventually(async () => {
      const last = recordsOf(null).at(-1);
      expect([last?.alert_level, last?.available_percent, last?.used]).toEqual([
        account['alert_level'],
        account['available_percent'],
        account['used'],
      ]);
      const states = await schemaRows<Json>(
        'alerting',
        `SELECT api_key_id, sequence::int AS sequence, level, percent::int AS percent
         FROM alerting.balance_states WHERE account_id = $1 ORDER BY api_key_id`,
        [ACCOUNT],
      );
      expect(states).toEqual([
        {
          api_key_id: '',
          sequence: Math.max(...recordsOf(null).map((record) => record.sequence)),
          level: account['alert_level'],
          percent: 100 - Number(account['available_percent']),
        },
        {
          api_key_id: keyOf('k-batch').api_key_id,
          sequence: Math.max(
            ...recordsOf(keyOf('k-batch').api_key_id).map((record) => record.sequence),
          ),
          level: key['alert_level'],
          percent: 100 - Number(key['available_percent']),
        },
      ]);
    }, 30_000);

    const published = (apiKeyId: string | null) =>
      mine()
        .filter((alert) => alert.api_key_id === apiKeyId && BALANCE_KINDS.includes(alert.kind))
        .map((alert) => ({
          api_key_id: alert.api_key_id,
          kind: alert.kind,
          state: alert.state,
          level: alert.level,
          percent: alert.percent,
          period_start: alert.period_start,
          ...(alert.amount !== undefined ? { amount: alert.amount } : {}),
          message: alert.message,
        }));
    for (const apiKeyId of [null, keyOf('k-batch').api_key_id]) {
      const expected = expectedBalanceAlerts(recordsOf(apiKeyId), thresholds);
      await eventually(() => expect(published(apiKeyId)).toHaveLength(expected.length));
      const normalise = (items: Json[]) =>
        items.map((item) =>
          Object.fromEntries(
            ['api_key_id', 'kind', 'state', 'level', 'percent', 'period_start', 'amount', 'message']
              .filter((field) => item[field] !== undefined)
              .map((field) => [field, item[field]]),
          ),
        );
      expect(normalise(published(apiKeyId))).toEqual(normalise(expected));
    }
    // The story went through levels and back: it is not a run where nothing fired.
    expect(
      mine()
        .filter((alert) => alert.kind === 'threshold' && alert.api_key_id === null)
        .map((alert) => `${alert.state} ${alert.level}`),
    ).toContain('resolved RED');
  });

  it('what alerting stores and delivers is what it published; the books balance', async () => {
    const published = mine();
    const stored = await schemaRows<{ body: string }>(
      'alerting',
      `SELECT body FROM alerting.alerts WHERE account_id = $1 ORDER BY at, alert_id`,
      [ACCOUNT],
    );
    expect(new Set(stored.map((row) => row.body))).toEqual(
      new Set(published.map((alert) => JSON.stringify(alert))),
    );
    // A custom threshold's alerts go to the channel that set it only (the webhook).
    const toSlack = published.filter((alert) => alert.kind !== 'custom_threshold');
    await eventually(() => {
      expect(receiver.at('/webhook')).toHaveLength(published.length);
      expect(receiver.at('/slack')).toHaveLength(toSlack.length);
    }, 30_000);
    const byId = new Map(published.map((alert) => [alert.id, alert]));
    for (const request of receiver.at('/webhook')) {
      expect(request.signatureValid).toBe(true);
      expect(byId.get(String(request.body['id']))).toEqual(request.body);
    }
    expect(new Set(receiver.at('/slack').map((request) => request.body['text']))).toEqual(
      new Set(toSlack.map((alert) => alert.message)),
    );
    for (const request of receiver.at('/slack')) {
      const alert = toSlack.find((candidate) =>
        JSON.stringify(request.body['blocks']).includes(candidate.id),
      );
      expect(alert?.message).toBe(request.body['text']);
      if (alert?.amount !== undefined) {
        expect(JSON.stringify(request.body['blocks'])).toContain(`amount ${usd(alert.amount)}`);
      }
    }
    // Usage transactions carry each event once: alerting's rollups are their lines.
    const usageLines = transactions
      .json<LedgerTransaction>()
      .filter((transaction) => transaction.account_id === ACCOUNT && transaction.kind === 'usage')
      .flatMap((transaction) => transaction.lines ?? []);
    expect(usageLines).toHaveLength((await lines()).length);
    expect(await commands.send('ledger.reconcile', {})).toEqual({
      ok: true,
      postings_total: expect.stringMatching(/^0(\.0+)?$/),
      mismatches: [],
    });
  });
});
