import { Decimal } from 'decimal.js';
import {
  awayFromUtcMidnight,
  CommandClient,
  eventually,
  priceCatalogFile,
  queryDatabase,
  usageEvent,
  wireAmount,
} from '@tally/testing';
import type { TopicRecorder, UsageEventFixture } from '@tally/testing';
import { AdminHarness } from './admin.harness';

/*
 * Every figure admin shows (and so the dashboard) against the ledger's own books: its postings
 * and usage lines in PostgreSQL, its budget status and its reconciliation. Metering and the
 * ledger run as processes, admin in this one. The story mixes two accounts and three keys, a
 * plan with markup and a volume tier, a coupon, grant, bonus and refund-kind credit, a Stripe
 * purchase and its partial refund, holds (settled by usage, open, expired), usage from two days
 * ago, an event sent twice and one re-sent with a re-stamped time, a dead letter, and overage.
 * Nothing here predicts an amount: each admin figure must equal the ledger's, exactly.
 */

const PROVIDER = 'figureai';
const LARGE = 'figure-large';
const SMALL = 'figure-small';
const SOURCE = 'gateway-figures';
const A = 'acct_figures_a';
const B = 'acct_figures_b';
const DAY_MS = 86_400_000;

type Json = Record<string, unknown>;
interface Page {
  items: Json[];
  next_cursor: string | null;
}
interface Key {
  api_key_id: string;
  secret: string;
}

/** An amount as the wire writes it: exact, at least 6 decimals. */
const sortedBy = (items: Json[]) =>
  [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const sum = (amounts: readonly Decimal.Value[]) =>
  amounts.reduce<Decimal>((total, amount) => total.plus(amount), new Decimal(0));

function catalogFile(): string {
  return priceCatalogFile('figures-1', [
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

describe("every figure admin shows is the ledger's, to the last decimal", () => {
  const catalog = catalogFile();
  const harness = new AdminHarness({}, ['metering', 'ledger'], undefined, {
    metering: { METERING_CATALOG_FILE: catalog },
    // Balances whose holds changed are announced again every round (ADR 0102): a short round.
    ledger: { LEDGER_CATALOG_FILE: catalog, LEDGER_HOLD_SWEEP_INTERVAL_MS: '500' },
  });
  const keys = new Map<string, Key>();
  const keyOf = (name: string) => {
    const key = keys.get(name);
    if (!key) throw new Error(`no API key ${name}`);
    return key;
  };
  let commands: CommandClient;
  let rated: TopicRecorder;
  const distinctEvents = new Map<string, number>([
    [A, 0],
    [B, 0],
  ]);

  const ledgerRows = <T>(sql: string, params: unknown[] = []) =>
    queryDatabase<T>(
      harness.isolation.databaseUrl,
      sql.replace(/ledger\./g, `${harness.isolation.schema('ledger')}.`),
      params,
    );
  const get = async <T = Json>(route: string) => {
    const answer = await harness.call<T>('GET', route);
    expect([route, answer.status]).toEqual([route, 200]);
    return answer.body;
  };

  function call(
    account: string,
    key: string,
    model: string,
    input: number,
    output: number,
    extra: { time?: string; reservation_id?: string } = {},
  ): UsageEventFixture {
    const { time, ...data } = extra;
    return usageEvent({
      source: SOURCE,
      subject: account,
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
  async function send(account: string, ...events: Array<UsageEventFixture | string>) {
    await harness.admin.kafka.produce(
      harness.topic('usage.events'),
      events.map((event) => ({
        key: account,
        value: typeof event === 'string' ? event : JSON.stringify(event),
      })),
    );
  }
  async function authorize(key: string, body: Json): Promise<Json> {
    const answer = await fetch(
      `http://127.0.0.1:${harness.process('ledger').port}/v1/authorizations`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${keyOf(key).secret}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      },
    );
    const held = (await answer.json()) as Json;
    expect([answer.status, held['authorized']]).toEqual([201, true]);
    return held;
  }
  /** Top-up reports a payment, as its outbox writes it (DESIGN 3.4). */
  const pay = (account: string, kind: string, id: string, credit: string) =>
    harness.admin.kafka.produceJson(harness.topic('payments.events'), account, [
      {
        schema_version: 1,
        id,
        account_id: account,
        kind,
        trigger: 'manual',
        credit_amount: credit,
        paid_amount: new Decimal(credit).times(3).toFixed(2),
        paid_currency: 'CHF',
        stripe_ref: 'pi_figures_1',
        at: new Date().toISOString(),
      },
    ]);
  const counted = (account: string, ...events: UsageEventFixture[]) =>
    distinctEvents.set(account, (distinctEvents.get(account) ?? 0) + events.length);

  beforeAll(async () => {
    await awayFromUtcMidnight();
    await harness.start();
    rated = await harness.admin.kafka.record(harness.topic('usage.rated'));
    commands = await new CommandClient(harness.isolation.kafkaBrokers, harness.isolation.suffix, [
      'ledger.reconcile',
    ]).connect();

    const ok = async (method: string, route: string, body: unknown, status = [200, 201]) => {
      const answer = await harness.call(method, route, { body });
      expect([route, status.includes(answer.status)]).toEqual([route, true]);
      return answer.body;
    };
    await ok('PUT', '/v1/plans/figures-pro', {
      markup_percent_paid: '10',
      markup_percent_free: '0',
      volume_discount_tiers: [{ from_tokens: 1_000_000, percent: '15' }],
    });
    for (const [account, name] of [
      [A, 'Figures A'],
      [B, 'Figures B'],
    ] as const) {
      await ok('POST', '/v1/accounts', { account_id: account, name });
    }
    await ok('PUT', `/v1/accounts/${A}/plan`, { plan: 'figures-pro' });
    await ok('PUT', `/v1/accounts/${A}/budget`, {
      period: 'monthly',
      reset_day: 1,
      limit: '3.00',
      hard_limit: false,
    });
    for (const [account, name] of [
      [A, 'a-gateway'],
      [A, 'a-batch'],
      [B, 'b-gateway'],
    ] as const) {
      const key = (await ok('POST', `/v1/accounts/${account}/api-keys`, { name })) as Json;
      keys.set(name, { api_key_id: String(key['api_key_id']), secret: String(key['secret']) });
    }
    await ok('POST', '/v1/coupons', { code: 'FIGURES', kind: 'credit', amount: '0.75' });
    await ok('POST', `/v1/accounts/${A}/coupons/redeem`, { code: 'FIGURES' });
    const credit = (account: string, amount: string, kind: string) =>
      ok('POST', `/v1/accounts/${account}/credits`, {
        amount,
        kind,
        reason: `figures ${kind}`,
        idempotency_key: `figures-${account}-${kind}`,
      });
    await credit(A, '1.25', 'grant');
    await credit(A, '0.40', 'bonus');
    await credit(A, '0.30', 'refund');
    await credit(B, '0.50', 'grant');
    await pay(A, 'credit_purchased', 'pay_figures_1', '0.80');
    await eventually(async () =>
      expect(
        await ledgerRows(
          `SELECT kind FROM ledger.transactions WHERE account_id = $1 AND kind = 'purchase'`,
          [A],
        ),
      ).toHaveLength(1),
    );
  }, 180_000);

  afterAll(async () => {
    await commands?.close();
    await harness.stop();
  });

  it('sends the story: a hold settled by usage, plain, late, repeated and malformed events', async () => {
    const held = await authorize('a-gateway', { estimated_cost: '2.00', request_id: 'settled' });
    // A hold still open at the end, and one that expires unsettled: both move `available`.
    await authorize('a-batch', { estimated_cost: '0.25', request_id: 'open' });
    await authorize('b-gateway', { estimated_cost: '0.10', request_id: 'expires', ttl_seconds: 1 });

    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS).toISOString();
    const settled = call(A, 'a-gateway', LARGE, 412_345, 37_891, {
      reservation_id: String(held['reservation_id']),
    });
    const plain = [
      call(A, 'a-gateway', LARGE, 398_761, 41_003),
      call(A, 'a-batch', SMALL, 123_457, 9_876),
    ];
    const repeated = call(A, 'a-batch', LARGE, 250_001, 12_345);
    const late = call(A, 'a-batch', SMALL, 777_777, 33_333, { time: twoDaysAgo });
    const crossing = call(A, 'a-gateway', LARGE, 301_234, 20_202);
    const intoOverage = call(A, 'a-batch', LARGE, 600_003, 60_007);
    const malformed = JSON.stringify(call(A, 'a-gateway', LARGE, 1_000, -5));
    await send(A, settled, ...plain, repeated, malformed);
    // A producer that re-stamps `time` on a retry, across a UTC day: metering's dedupe looks in
    // the day of the event's time (ADR 0041), so it rates the event again; the ledger posts it
    // once.
    const restamped = call(A, 'a-gateway', SMALL, 55_555, 4_444);
    const restampedRetry = { ...restamped, time: new Date(Date.now() - DAY_MS).toISOString() };
    await send(A, late, repeated, crossing, intoOverage, restamped);
    counted(A, settled, ...plain, repeated, late, crossing, intoOverage, restamped);

    const bLate = call(B, 'b-gateway', SMALL, 654_321, 12_345, { time: twoDaysAgo });
    const bPlain = call(B, 'b-gateway', LARGE, 222_222, 11_111);
    await send(B, bLate, bPlain, bPlain);
    counted(B, bLate, bPlain);

    // The ledger posted each distinct event once, and settled the hold.
    await eventually(
      async () => {
        const lines = await ledgerRows<{ account_id: string; lines: string }>(
          `SELECT account_id, count(*) AS lines FROM ledger.usage_lines GROUP BY account_id ORDER BY account_id`,
        );
        expect(lines).toEqual([
          { account_id: A, lines: String(distinctEvents.get(A)) },
          { account_id: B, lines: String(distinctEvents.get(B)) },
        ]);
      },
      60_000,
      200,
    );
    // The retry comes once the first copy was rated: another slice of metering's.
    await send(A, restampedRetry);
    await eventually(async () =>
      expect(
        rated.json<{ id: string }>().filter((rating) => rating.id === restamped.id),
      ).toHaveLength(2),
    );
    // Part of A's purchase is refunded through Stripe.
    await pay(A, 'credit_refunded', 'pay_figures_2', '0.20');
    await eventually(async () =>
      expect(
        await ledgerRows(
          `SELECT kind FROM ledger.transactions WHERE account_id = $1 AND kind = 'purchase_refund'`,
          [A],
        ),
      ).toHaveLength(1),
    );
    // A refund-kind grant on B, whose credit is spent: the ledger's wallet goes below zero.
    const refund = await harness.call('POST', `/v1/accounts/${B}/credits`, {
      body: {
        amount: '0.05',
        kind: 'refund',
        reason: 'figures debt',
        idempotency_key: 'figures-debt',
      },
    });
    expect(refund.status).toBe(201);
    const [settledLine] = await ledgerRows<{ reservation_id: string | null }>(
      `SELECT reservation_id FROM ledger.usage_lines WHERE usage_id = $1`,
      [settled.id],
    );
    expect(settledLine?.reservation_id).toBe(held['reservation_id']);
  });

  it("admin's usage rows, per group, are the ledger's usage lines", async () => {
    interface Line {
      account_id: string;
      day: string;
      model: string;
      provider: string;
      api_key_id: string | null;
      service: string;
      charged: string;
      tokens: string;
    }
    const lines = await ledgerRows<Line>(
      `SELECT account_id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, model,
              provider, api_key_id, service, charged::text AS charged, tokens::text AS tokens
       FROM ledger.usage_lines`,
    );
    // The lines' charges are what the usage postings credited to revenue.
    const revenue = await ledgerRows<{ account_id: string; revenue: string }>(
      `SELECT p.account_id, sum(p.amount)::text AS revenue
       FROM ledger.postings p JOIN ledger.transactions t USING (account_id, transaction_id)
       WHERE t.kind = 'usage' AND p.ledger_code = 'revenue'
       GROUP BY p.account_id ORDER BY p.account_id`,
    );
    for (const { account_id, revenue: posted } of revenue) {
      expect([account_id, wireAmount(posted)]).toEqual([
        account_id,
        wireAmount(
          sum(lines.filter((line) => line.account_id === account_id).map((l) => l.charged)),
        ),
      ]);
    }

    type Group = 'day' | 'model' | 'provider' | 'api_key' | 'service';
    const groupKey: Record<Group, (line: Line) => string | null> = {
      day: (line) => line.day,
      model: (line) => line.model,
      provider: (line) => line.provider,
      api_key: (line) => line.api_key_id,
      service: (line) => line.service,
    };
    const expectedRows = (account: string, groups: readonly Group[]) => {
      const rows = new Map<string, Json>();
      for (const line of lines.filter((l) => l.account_id === account)) {
        const id = groups.map((group) => groupKey[group](line)).join('\u0000');
        const row = rows.get(id) ?? {
          ...Object.fromEntries(groups.map((group) => [group, groupKey[group](line)])),
          cost: new Decimal(0),
          tokens: 0,
          requests: 0,
        };
        row['cost'] = (row['cost'] as Decimal).plus(line.charged);
        row['tokens'] = (row['tokens'] as number) + Number(line.tokens);
        row['requests'] = (row['requests'] as number) + 1;
        rows.set(id, row);
      }
      return [...rows.values()]
        .map((row) => ({ ...row, cost: wireAmount(row['cost'] as Decimal) }))
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    };
    const sorted = sortedBy;

    // Admin takes tokens and requests from usage.rated and cost from ledger.transactions.
    await eventually(
      async () => {
        for (const account of [A, B]) {
          const all = await get<Page>(`/v1/accounts/${account}/usage?group_by=`);
          expect([account, all.items]).toEqual([account, expectedRows(account, [])]);
        }
      },
      30_000,
      200,
    );
    for (const account of [A, B]) {
      for (const groups of [
        ['day'],
        ['model'],
        ['provider'],
        ['api_key'],
        ['service'],
        ['day', 'model', 'provider', 'api_key', 'service'],
      ] satisfies Group[][]) {
        const page = await get<Page>(`/v1/accounts/${account}/usage?group_by=${groups.join(',')}`);
        expect([account, groups, sorted(page.items)]).toEqual([
          account,
          groups,
          expectedRows(account, groups),
        ]);
      }
    }
  });

  it("admin's transactions, JSON and CSV, are the ledger's transactions and postings", async () => {
    interface Posted {
      transaction_id: string;
      kind: string;
      posted_at: string;
      allowance: string;
      credit: string;
      overage: string;
    }
    for (const account of [A, B]) {
      const posted = await ledgerRows<Posted>(
        `SELECT t.transaction_id::text AS transaction_id, t.kind,
                to_char(t.posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS posted_at,
                coalesce(sum(p.amount) FILTER (WHERE p.ledger_code = 'allowance'), 0)::text AS allowance,
                coalesce(sum(p.amount) FILTER (WHERE p.ledger_code = 'credit'), 0)::text AS credit,
                coalesce(sum(p.amount) FILTER (WHERE p.ledger_code = 'overage'), 0)::text AS overage
         FROM ledger.transactions t LEFT JOIN ledger.postings p USING (account_id, transaction_id)
         WHERE t.account_id = $1
         GROUP BY t.transaction_id, t.kind, t.posted_at`,
        [account],
      );
      const listed = await eventually(async () => {
        const page = await get<Page>(`/v1/accounts/${account}/transactions?limit=500`);
        expect(page.items).toHaveLength(posted.length);
        return page.items;
      });
      const byId = new Map(listed.map((item) => [String(item['transaction_id']), item]));
      for (const transaction of posted) {
        const item = byId.get(transaction.transaction_id);
        const tenant = sum([transaction.allowance, transaction.credit, transaction.overage]);
        const funding =
          transaction.kind === 'usage'
            ? {
                allowance: wireAmount(new Decimal(transaction.allowance).negated()),
                credit_and_bonus: wireAmount(new Decimal(transaction.credit).negated()),
                overage: wireAmount(new Decimal(transaction.overage).negated()),
              }
            : null;
        const itemFunding = item?.['funding'] as Record<string, string> | null | undefined;
        expect([
          account,
          item?.['kind'],
          item?.['posted_at'],
          item?.['amount'],
          itemFunding === null || itemFunding === undefined
            ? itemFunding
            : {
                allowance: itemFunding['allowance'],
                credit_and_bonus: wireAmount(
                  sum([itemFunding['credit'] ?? 'none', itemFunding['bonus'] ?? 'none']),
                ),
                overage: itemFunding['overage'],
              },
        ]).toEqual([
          account,
          transaction.kind,
          // The ledger posts at a JS instant: its microseconds are always 000.
          transaction.posted_at.replace(/(\.\d{3})000Z$/, '$1Z'),
          wireAmount(tenant),
          funding,
        ]);
      }

      // Pages of two, the kind filter and a posted_at range select what the ledger posted.
      const paged: Json[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page: Page = await get<Page>(`/v1/accounts/${account}/transactions?limit=2${query}`);
        paged.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      expect(paged).toEqual(listed);
      const usageOnly = await get<Page>(
        `/v1/accounts/${account}/transactions?kind=usage&limit=500`,
      );
      expect(usageOnly.items).toEqual(listed.filter((item) => item['kind'] === 'usage'));
      const instants = [...new Set(listed.map((item) => String(item['posted_at'])))].sort();
      const from = instants[Math.min(1, instants.length - 2)] ?? '';
      const to = instants.at(-1) ?? '';
      const ranged = await get<Page>(
        `/v1/accounts/${account}/transactions?limit=500&from=${from}&to=${to}`,
      );
      expect(ranged.items).toEqual(
        listed.filter(
          (item) => String(item['posted_at']) >= from && String(item['posted_at']) < to,
        ),
      );

      // Admin's payments are the ledger's purchases and their refunds.
      const payments = await eventually(async () => {
        const page = await get<Page>(`/v1/accounts/${account}/payments`);
        expect(page.items).toHaveLength(
          posted.filter((t) => t.kind === 'purchase' || t.kind === 'purchase_refund').length,
        );
        return page.items;
      });
      expect(payments.map((payment) => [payment['kind'], payment['credit_amount']]).sort()).toEqual(
        posted
          .filter((t) => t.kind === 'purchase' || t.kind === 'purchase_refund')
          .map((t) => [
            t.kind === 'purchase' ? 'credit_purchased' : 'credit_refunded',
            wireAmount(new Decimal(t.credit).abs()),
          ])
          .sort(),
      );

      const csv = await harness.call('GET', `/v1/accounts/${account}/transactions.csv`);
      expect(csv.status).toBe(200);
      const [header, ...rows] = csv.text.trim().split(/\r?\n/);
      expect(header).toBe(
        'transaction_id,kind,amount,posted_at,funding.allowance,funding.credit,funding.bonus,funding.overage',
      );
      expect(rows).toEqual(
        listed.map((item) => {
          const funding = item['funding'] as Record<string, string> | null;
          return [
            item['transaction_id'],
            item['kind'],
            item['amount'],
            item['posted_at'],
            funding?.['allowance'] ?? '',
            funding?.['credit'] ?? '',
            funding?.['bonus'] ?? '',
            funding?.['overage'] ?? '',
          ].join(',');
        }),
      );
    }
  });

  it("admin's balances, top spenders and summary are the ledger's", async () => {
    const statusOf = async (account: string) => get<Json>(`/v1/accounts/${account}/budget-status`);
    const wallet = async (account: string) => {
      const rows = await ledgerRows<{ ledger_code: string; total: string }>(
        `SELECT ledger_code, sum(amount)::text AS total FROM ledger.postings
         WHERE account_id = $1 GROUP BY ledger_code`,
        [account],
      );
      return (code: string) => rows.find((row) => row.ledger_code === code)?.total ?? '0';
    };
    // B's one-second hold has expired and been swept: the ledger no longer counts it.
    await eventually(async () =>
      expect(
        await ledgerRows(`SELECT status FROM ledger.reservations WHERE account_id = $1`, [B]),
      ).toEqual([{ status: 'expired' }]),
    );
    const spent = new Map<string, string>();
    for (const account of [A, B]) {
      const status = await statusOf(account);
      const books = await wallet(account);
      // The ledger's status is its postings: credit left (below zero after B's refund), overage.
      expect([account, status['extra_credit_remaining'], status['overage']]).toEqual([
        account,
        wireAmount(books('credit')),
        wireAmount(new Decimal(books('overage')).negated()),
      ]);
      spent.set(account, wireAmount(books('revenue')));
      await eventually(
        async () => {
          const shown = await get<Json>(`/v1/accounts/${account}`);
          expect([account, shown['balance']]).toEqual([
            account,
            expect.objectContaining({
              used: status['used'],
              remaining: status['remaining'],
              extra_credit_remaining: status['extra_credit_remaining'],
              available: status['available'],
              available_percent: status['available_percent'],
              alert_level: status['alert_level'],
              overage: status['overage'],
            }),
          ]);
          expect(shown['alert_level']).toBe(status['alert_level']);
        },
        30_000,
        200,
      );
      const listed = await get<Page>('/v1/accounts?limit=500');
      const inList = listed.items.find((item) => item['account_id'] === account);
      expect(inList?.['balance']).toEqual((await get<Json>(`/v1/accounts/${account}`))['balance']);
    }
    // Both ran past what they had, then had credit taken back: A's Stripe refund (0.20) and
    // B's refund-kind grant (0.05) are debts; A's open hold (0.25) counts, B's expired one not.
    const [statusA, statusB] = [await statusOf(A), await statusOf(B)];
    expect([statusA['available'], statusB['available']]).toEqual(['-0.450000', '-0.050000']);
    expect(new Decimal(statusA['overage'] as string).isPositive()).toBe(true);
    expect(new Decimal(statusB['overage'] as string).isPositive()).toBe(true);

    // The window covers the late usage's day.
    const spenders = await get<Page>('/v1/analytics/top-spenders?days=3&limit=10');
    expect(spenders.items.map((item) => [item['account_id'], item['spend']])).toEqual(
      [...spent.entries()].sort(([, a], [, b]) => new Decimal(b).comparedTo(a)),
    );

    const lines = await ledgerRows<{
      account_id: string;
      model: string;
      day: string;
      charged: string;
      tokens: string;
    }>(
      `SELECT account_id, model, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
              charged::text AS charged, tokens::text AS tokens FROM ledger.usage_lines`,
    );
    const today = new Date().toISOString().slice(0, 10);
    const ofDays = (chosen: typeof lines) => ({
      cost: wireAmount(sum(chosen.map((line) => line.charged))),
      tokens: chosen.reduce((total, line) => total + Number(line.tokens), 0),
      requests: chosen.length,
    });
    const summary = await get<Json>('/v1/analytics/summary?days=3');
    const statuses = [statusA, statusB];
    expect(summary).toMatchObject({
      accounts: 2,
      extra_credit_remaining: wireAmount(
        sum(statuses.map((s) => s['extra_credit_remaining'] as string)),
      ),
      today: ofDays(lines.filter((line) => line.day === today)),
      window: ofDays(lines),
    });
    const levels = summary['alert_levels'] as Record<string, number>;
    for (const level of new Set(statuses.map((s) => String(s['alert_level'])))) {
      expect([level, levels[level]]).toEqual([
        level,
        statuses.filter((s) => s['alert_level'] === level).length,
      ]);
    }

    const distribution = await get<Json>('/v1/analytics/distribution?days=3');
    expect(distribution['by_provider']).toEqual([{ provider: PROVIDER, ...ofDays(lines) }]);
    const ofModel = (model: string) => ({
      provider: PROVIDER,
      model,
      ...ofDays(lines.filter((line) => line.model === model)),
    });
    expect(sortedBy(distribution['by_model'] as Json[])).toEqual(
      sortedBy([ofModel(LARGE), ofModel(SMALL)]),
    );
    // Today only: the late usage is outside the window.
    const todays = await get<Page>('/v1/analytics/top-spenders?days=1&limit=10');
    expect(todays.items.map((item) => [item['account_id'], item['spend']])).toEqual(
      [A, B]
        .map((account): [string, string] => [
          account,
          ofDays(lines.filter((line) => line.account_id === account && line.day === today)).cost,
        ])
        .sort(([, a], [, b]) => new Decimal(b).comparedTo(a)),
    );

    // The dead letter is admin's, with its reason; the books balance.
    const deadLetters = await get<Page>('/v1/dead-letters');
    expect(deadLetters.items.map((item) => [item['service'], item['reason'], item['key']])).toEqual(
      [['metering', 'negative_quantity', A]],
    );
    expect(await commands.send('ledger.reconcile', {})).toEqual({
      ok: true,
      postings_total: expect.stringMatching(/^0(\.0+)?$/),
      mismatches: [],
    });
  });
});
