import { randomUUID } from 'node:crypto';
import { eventually, usageRated } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { AdminHarness } from './admin.harness';

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
type Item = Record<string, unknown>;

const DAY_MS = 86_400_000;
const today = new Date().toISOString().slice(0, 10);
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

function transaction(
  accountId: string,
  kind: string,
  postings: Array<[string, string]>,
  extra: Record<string, unknown> = {},
) {
  const now = new Date().toISOString();
  return {
    schema_version: 1,
    transaction_id: randomUUID(),
    account_id: accountId,
    kind,
    source_id: randomUUID(),
    occurred_at: now,
    posted_at: now,
    postings: postings.map(([ledger_account, amount]) => ({ ledger_account, amount })),
    details: {},
    ...extra,
  };
}

function balance(accountId: string, sequence: number, level: string, credit: string) {
  return {
    schema_version: 1,
    account_id: accountId,
    api_key_id: null,
    sequence,
    period: { start: null, end: null },
    allowance: '0.000000',
    used: '1.000000',
    remaining: '0.000000',
    extra_credit_remaining: credit,
    available: credit,
    available_percent: 10,
    alert_level: level,
    over_soft_limit: false,
    over_hard_limit: false,
    overage: '0.000000',
    cause: { transaction_id: randomUUID(), kind: 'usage' },
    at: new Date().toISOString(),
  };
}

/** Admin alone, fed the topics it projects as the other services write them. */
describe('read models projected from the topics', () => {
  const harness = new AdminHarness({}, []);
  let deadLetters: TopicRecorder;
  const produce = (topic: string, key: string, payloads: unknown[]) =>
    harness.admin.kafka.produceJson(harness.topic(topic), key, payloads);
  const get = async <T = Item>(route: string) => {
    const answer = await harness.call<T>('GET', route);
    expect([route, answer.status]).toEqual([route, 200]);
    return answer.body;
  };

  beforeAll(async () => {
    await harness.start();
    deadLetters = await harness.admin.kafka.record(harness.topic('usage.dead-letter'));
  });
  afterAll(() => harness.stop());

  it('keeps the balance with the highest sequence, whatever the order', async () => {
    await produce('ledger.balance-changed', 'acct_b1', [
      balance('acct_b1', 5, 'RED', '1.500000'),
      balance('acct_b1', 3, 'GREEN', '9.000000'),
    ]);
    await produce('ledger.balance-changed', 'acct_b2', [
      balance('acct_b2', 1, 'YELLOW', '4.000000'),
    ]);
    const account = await eventually(async () => {
      const body = await get<{ balance: Item | null; name: string | null }>('/v1/accounts/acct_b1');
      expect(body.balance).not.toBeNull();
      return body;
    });
    expect(account.name).toBeNull();
    // DESIGN 5: accounts are read "with balance, alert level".
    expect(account).toMatchObject({ alert_level: 'RED' });
    expect(account.balance).toMatchObject({
      alert_level: 'RED',
      extra_credit_remaining: '1.500000',
    });
    const summary = await eventually(async () => {
      const body = await get<{ alert_levels: Item; accounts: number }>('/v1/analytics/summary');
      expect(body.alert_levels['YELLOW']).toBe(1);
      return body;
    });
    expect(summary.alert_levels).toEqual({ GREEN: 0, YELLOW: 1, ORANGE: 0, RED: 1, CRITICAL: 0 });
    expect(summary.accounts).toBe(2);
    expect(summary).toMatchObject({ extra_credit_remaining: '5.500000' });
    await produce('ledger.balance-changed', 'acct_b1', [
      balance('acct_b1', 6, 'GREEN', '20.000000'),
    ]);
    await eventually(async () =>
      expect((await get<{ alert_levels: Item }>('/v1/analytics/summary')).alert_levels).toEqual({
        GREEN: 1,
        YELLOW: 1,
        ORANGE: 0,
        RED: 0,
        CRITICAL: 0,
      }),
    );
    const filtered = await get<Page<Item>>('/v1/accounts?alert_level=YELLOW');
    expect(filtered.items.map((item) => [item['account_id'], item['alert_level']])).toEqual([
      ['acct_b2', 'YELLOW'],
    ]);
  });

  it('projects usage posted as lines of one transaction, with its funding and cost per day', async () => {
    const account = 'acct_lines';
    await produce('ledger.transactions', account, [
      transaction(account, 'purchase', [
        ['credit', '10.000000'],
        ['payments_clearing', '-10.000000'],
      ]),
      transaction(account, 'bonus', [
        ['credit', '2.000000'],
        ['promotions', '-2.000000'],
      ]),
    ]);
    const line = (
      usage_id: string,
      occurredAt: string,
      credit: string,
      overage: string,
      charged: string,
      tokens: number,
    ) => ({
      usage_id,
      source: 'gw',
      api_key_id: 'key_1',
      service: 'llm',
      provider: 'openai',
      model: 'gpt-4o',
      tokens,
      cost: charged,
      markup: '0',
      discount: '0',
      charged,
      reservation_id: null,
      occurred_at: occurredAt,
      funding: { allowance: '0', credit, overage },
    });
    const batch = transaction(
      account,
      'usage',
      [
        ['credit', '-12.000000'],
        ['overage', '-0.500000'],
        ['revenue', '12.500000'],
      ],
      {
        lines: [
          line('u1', daysAgo(1), '3.000000', '0', '3.000000', 400),
          line('u2', new Date().toISOString(), '9.000000', '0.500000', '9.500000', 1000),
        ],
      },
    );
    await produce('ledger.transactions', account, [batch]);
    const usage = await eventually(async () => {
      const page = await get<Page<Item>>(`/v1/accounts/${account}/transactions?kind=usage`);
      expect(page.items).toHaveLength(1);
      return page.items[0];
    });
    expect(usage).toEqual({
      transaction_id: batch.transaction_id,
      kind: 'usage',
      amount: '-12.500000',
      posted_at: batch.posted_at,
      funding: {
        allowance: '0.000000',
        credit: '10.000000',
        bonus: '2.000000',
        overage: '0.500000',
      },
    });
    const byDay = await get<Page<Item>>(`/v1/accounts/${account}/usage?group_by=day`);
    expect(byDay.items).toEqual([
      { day: daysAgo(1).slice(0, 10), cost: '3.000000', tokens: 400, requests: 1 },
      { day: today, cost: '9.500000', tokens: 1000, requests: 1 },
    ]);
  });

  it("takes tokens and requests from the ledger's lines, not from usage.rated (ADR 0161)", async () => {
    // Metering may rate one event twice (ADR 0041): a rated record makes its account known and
    // adds nothing to the rollups, which count what the ledger posted.
    const account = 'acct_rated_only';
    const event = usageRated(account, '0.100000', {
      api_key_id: 'key_1',
      model: 'gpt-4o',
      occurred_at: new Date().toISOString(),
      quantities: { input_tokens: 700, output_tokens: 300, cached_input_tokens: 200 },
    });
    await produce('usage.rated', account, [event, event]);
    await eventually(async () =>
      expect((await harness.call('GET', `/v1/accounts/${account}`)).status).toBe(200),
    );
    expect((await get<Page<Item>>(`/v1/accounts/${account}/usage?group_by=`)).items).toEqual([
      { cost: '0.000000', tokens: 0, requests: 0 },
    ]);
    expect(
      (await get<Page<Item>>(`/v1/accounts/acct_lines/usage?group_by=day,model&from=${today}`))
        .items,
    ).toEqual([{ day: today, model: 'gpt-4o', cost: '9.500000', tokens: 1000, requests: 1 }]);
  });

  it('ranks top spenders over the last days and spreads them in the distribution', async () => {
    const spend = (accountId: string, charged: string, daysBack: number) =>
      transaction(
        accountId,
        'usage',
        [
          ['overage', `-${charged}`],
          ['revenue', charged],
        ],
        {
          occurred_at: daysAgo(daysBack),
          details: {
            usage_id: randomUUID(),
            source: 'gw',
            api_key_id: null,
            service: 'llm',
            provider: 'anthropic',
            model: 'claude-3-5-haiku',
          },
        },
      );
    await produce('ledger.transactions', 'acct_s1', [
      spend('acct_s1', '50.000000', 0),
      spend('acct_s1', '500.000000', 20),
    ]);
    await produce('ledger.transactions', 'acct_s2', [spend('acct_s2', '80.000000', 2)]);
    await produce('ledger.transactions', 'acct_s3', [spend('acct_s3', '0.500000', 0)]);
    const week = await eventually(async () => {
      const body = await get<Page<Item>>('/v1/analytics/top-spenders?days=7&limit=3');
      expect(body.items).toHaveLength(3);
      return body;
    });
    expect(week.items).toEqual([
      { account_id: 'acct_s2', name: null, spend: '80.000000' },
      { account_id: 'acct_s1', name: null, spend: '50.000000' },
      { account_id: 'acct_lines', name: null, spend: '12.500000' },
    ]);
    const month = await get<Page<Item>>('/v1/analytics/top-spenders?days=30&limit=1');
    expect(month.items).toEqual([{ account_id: 'acct_s1', name: null, spend: '550.000000' }]);
    const distribution = await get<{ by_provider: Item[]; spend_buckets: Item[] }>(
      '/v1/analytics/distribution?days=7',
    );
    expect(distribution.by_provider).toEqual([
      // Usage transactions from before lines: one request each, without tokens.
      { provider: 'anthropic', cost: '130.500000', tokens: 0, requests: 3 },
      { provider: 'openai', cost: '12.500000', tokens: 1400, requests: 2 },
    ]);
    // Seven accounts: three without spend in the window (one known from usage.rated alone), one
    // under 1, three between 10 and 100.
    expect(distribution.spend_buckets.map((bucket) => bucket['accounts'])).toEqual([
      3, 1, 0, 3, 0, 0,
    ]);
    for (const query of ['days=0', 'days=367', 'limit=101', 'days=-1', 'limit=ten']) {
      expect((await harness.call('GET', `/v1/analytics/top-spenders?${query}`)).status).toBe(422);
    }
  });

  it('lists 250 transactions page by page without gaps or overlaps, and the same as CSV', async () => {
    const account = 'acct_pages';
    // Many share one posting instant, as a batch does: the cursor breaks ties by transaction id.
    const postedAt = new Date(Date.now() - 60_000).toISOString();
    const records = Array.from({ length: 250 }, (_, index) =>
      transaction(
        account,
        index % 5 === 0 ? 'bonus' : 'grant',
        [
          ['credit', '1.000000'],
          ['promotions', '-1.000000'],
        ],
        {
          posted_at: index < 200 ? postedAt : new Date(Date.now() - index * 1000).toISOString(),
        },
      ),
    );
    await produce('ledger.transactions', account, records);
    const all = await eventually(async () => {
      const page = await get<Page<Item>>(`/v1/accounts/${account}/transactions?limit=500`);
      expect(page.items).toHaveLength(250);
      return page.items;
    });
    const seen: Item[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const route = `/v1/accounts/${account}/transactions?limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const page: Page<Item> = await get<Page<Item>>(route);
      seen.push(...page.items);
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(36);
    expect(seen).toEqual(all);
    expect(new Set(seen.map((item) => item['transaction_id'])).size).toBe(250);
    expect(new Set(seen.map((item) => item['transaction_id']))).toEqual(
      new Set(records.map((record) => record.transaction_id)),
    );
    const bonuses: Item[] = [];
    cursor = null;
    do {
      const route = `/v1/accounts/${account}/transactions?kind=bonus&limit=9${cursor ? `&cursor=${cursor}` : ''}`;
      const page: Page<Item> = await get<Page<Item>>(route);
      bonuses.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(bonuses).toEqual(all.filter((item) => item['kind'] === 'bonus'));
    expect(bonuses).toHaveLength(50);
    const csv = await harness.call('GET', `/v1/accounts/${account}/transactions.csv`);
    const rows = csv.text.trimEnd().split('\r\n').slice(1);
    expect(rows).toEqual(
      all.map(
        (item) =>
          `${String(item['transaction_id'])},${String(item['kind'])},${String(item['amount'])},${String(item['posted_at'])},,,,`,
      ),
    );
    const window = await get<Page<Item>>(
      `/v1/accounts/${account}/transactions?limit=500&from=${postedAt}&to=${new Date(Date.parse(postedAt) + 1).toISOString()}`,
    );
    expect(window.items).toHaveLength(200);
  });

  it('projects alerts, payments (references masked) and the latest auto top-up state', async () => {
    const account = 'acct_ops';
    const alert = (id: string, state: string, at: string, extra: Item = {}) => ({
      schema_version: 1,
      id,
      account_id: account,
      api_key_id: null,
      kind: 'threshold',
      state,
      level: 'ORANGE',
      percent: 80,
      period_start: null,
      message: `<b>80 %</b> of the budget is spent`,
      at,
      ...extra,
    });
    await produce('alerts.fired', account, [
      alert('al_1', 'fired', daysAgo(1)),
      alert('al_2', 'resolved', new Date().toISOString(), { resolves: 'al_1' }),
    ]);
    await produce('payments.events', account, [
      {
        id: 'pay_ops',
        account_id: account,
        kind: 'credit_purchased',
        trigger: 'auto',
        credit_amount: '10.000000000000',
        paid_amount: '30.00',
        paid_currency: 'CHF',
        stripe_ref: 'pi_3NxYzAbCdEfGh1234',
        at: new Date().toISOString(),
      },
    ]);
    const status = (sequence: number, state: string) => ({
      account_id: account,
      sequence,
      auto_topup: {
        enabled: true,
        state,
        month_auto_paid: '30.00',
        monthly_limit: '300.00',
        paid_currency: 'CHF',
      },
      at: new Date().toISOString(),
    });
    await produce('topup.status-changed', account, [status(2, 'cooldown'), status(1, 'pending')]);
    const alerts = await eventually(async () => {
      const page = await get<Page<Item>>(`/v1/accounts/${account}/alerts`);
      expect(page.items).toHaveLength(2);
      return page.items;
    });
    expect(
      alerts.map((item) => [item['alert_id'], item['state'], item['resolves'], item['message']]),
    ).toEqual([
      ['al_2', 'resolved', 'al_1', '<b>80 %</b> of the budget is spent'],
      ['al_1', 'fired', null, '<b>80 %</b> of the budget is spent'],
    ]);
    expect(
      (await get<Page<Item>>(`/v1/accounts/${account}/alerts?state=fired`)).items,
    ).toHaveLength(1);
    const payments = await eventually(async () => {
      const page = await get<Page<Item>>(`/v1/accounts/${account}/payments`);
      expect(page.items).toHaveLength(1);
      return page.items;
    });
    expect(payments[0]).toMatchObject({
      payment_id: 'pay_ops',
      credit_amount: '10.000000',
      paid_amount: '30.000000',
      stripe_ref: 'pi_...1234',
    });
    await eventually(async () =>
      expect(
        (await get<{ auto_topup: Item | null }>(`/v1/accounts/${account}`)).auto_topup,
      ).toMatchObject({
        enabled: true,
        state: 'cooldown',
        month_auto_paid: '30.000000',
      }),
    );
  });

  it('says why auto top-up is paused: a lost dispute, or a failed charge when the record is older than the reason', async () => {
    const status = (account: string, sequence: number, state: string, extra: Item = {}) => ({
      account_id: account,
      sequence,
      auto_topup: {
        enabled: true,
        state,
        month_auto_paid: '30.00',
        monthly_limit: '300.00',
        paid_currency: 'CHF',
        ...extra,
      },
      at: new Date().toISOString(),
    });
    await produce('topup.status-changed', 'acct_disputed', [
      status('acct_disputed', 1, 'paused', { pause_reason: 'dispute_lost' }),
    ]);
    await produce('topup.status-changed', 'acct_declined', [status('acct_declined', 1, 'paused')]);
    await produce('topup.status-changed', 'acct_resumed', [
      status('acct_resumed', 1, 'paused', { pause_reason: 'dispute_lost' }),
      status('acct_resumed', 2, 'idle'),
    ]);
    const reasonOf = async (account: string) =>
      (await get<{ auto_topup: Item | null }>(`/v1/accounts/${account}`)).auto_topup?.[
        'pause_reason'
      ];
    await eventually(async () => {
      expect([
        await reasonOf('acct_disputed'),
        await reasonOf('acct_declined'),
        await reasonOf('acct_resumed'),
      ]).toEqual(['dispute_lost', 'charge_failed', null]);
    });
  });

  it('shows a credit_purchased that gives back a failed refund as that, naming the refund (masked)', async () => {
    const account = 'acct_restored';
    const fact = (id: string, kind: string, credit: string, paid: string, at: string) => ({
      schema_version: 1,
      id,
      account_id: account,
      kind,
      trigger: 'manual',
      credit_amount: credit,
      paid_amount: paid,
      paid_currency: 'CHF',
      stripe_ref: 'pi_3NxYzAbCdEfGh5678',
      at,
    });
    await produce('payments.events', account, [
      fact('topup:e1:purchased', 'credit_purchased', '15.000000', '45.000000', daysAgo(3)),
      fact('topup:e1:refunded:re_1Abc9xyz', 'credit_refunded', '5.000000', '15.000000', daysAgo(2)),
      {
        ...fact(
          'topup:e1:restored:re_1Abc9xyz',
          'credit_purchased',
          '5.000000',
          '15.000000',
          daysAgo(1),
        ),
        restores_refund: 're_1Abc9xyz',
      },
    ]);
    const payments = await eventually(async () => {
      const page = await get<Page<Item>>(`/v1/accounts/${account}/payments`);
      expect(page.items).toHaveLength(3);
      return page.items;
    });
    expect(
      payments.map((item) => [item['kind'], item['credit_amount'], item['restores_refund']]),
    ).toEqual([
      ['credit_purchased', '5.000000', 're_...9xyz'],
      ['credit_refunded', '5.000000', null],
      ['credit_purchased', '15.000000', null],
    ]);
  });

  it('dead-letters a record it cannot read and carries on', async () => {
    await harness.admin.kafka.produce(harness.topic('ledger.transactions'), [
      { key: 'acct_bad', value: '{"transaction_id": 1' },
    ]);
    await produce('ledger.transactions', 'acct_bad', [
      transaction('acct_bad', 'grant', [
        ['credit', '1.000000'],
        ['promotions', '-1.000000'],
      ]),
    ]);
    await eventually(async () =>
      expect((await get<Page<Item>>('/v1/accounts/acct_bad/transactions')).items).toHaveLength(1),
    );
    const letters = await deadLetters.waitForCount<Item>(1);
    expect(letters[0]).toMatchObject({ reason: 'invalid_json', service: 'admin' });
  });

  it('lists the dead letters of every service, newest first, filtered and paged', async () => {
    const deadLetter = (
      offset: number,
      reason: string,
      at: string,
      value = 'eyBub3QganNvbg==',
    ) => ({
      schema_version: 1,
      source_topic: 'usage.events',
      partition: 2,
      offset: String(offset),
      key: 'acct_dl',
      key_base64: null,
      value,
      truncated: false,
      reason,
      error: `error of ${offset}`,
      service: 'metering',
      at,
    });
    const longValue = 'A'.repeat(20_000);
    await produce('usage.dead-letter', 'acct_dl', [
      deadLetter(10, 'invalid_json', '2026-11-20T10:00:00.000Z'),
      // An older writer's error with a NUL, which PostgreSQL refuses in text.
      { ...deadLetter(11, 'negative_quantity', '2026-11-20T11:00:00.000Z'), error: 'x\u0000y' },
      deadLetter(12, 'invalid_json', '2026-11-20T12:00:00.000Z', longValue),
      // A redelivered dead letter is listed once.
      deadLetter(10, 'invalid_json', '2026-11-20T10:00:00.000Z'),
    ]);
    const list = (query: string) =>
      get<Page<Item>>(`/v1/dead-letters?service=metering&from=2026-11-20&to=2026-11-21${query}`);
    await eventually(async () => expect((await list('')).items).toHaveLength(3));

    const first = await list('&limit=2');
    expect(first.items.map((item) => item['offset'])).toEqual(['12', '11']);
    expect(first.items[0]).toEqual({
      service: 'metering',
      source_topic: 'usage.events',
      partition: 2,
      offset: '12',
      reason: 'invalid_json',
      error: 'error of 12',
      key: 'acct_dl',
      key_base64: null,
      value: 'A'.repeat(16 * 1024),
      truncated: true,
      at: '2026-11-20T12:00:00.000Z',
    });
    expect(first.items[1]).toMatchObject({
      value: 'eyBub3QganNvbg==',
      truncated: false,
      error: 'x\uFFFDy',
    });
    const second = await list(`&limit=2&cursor=${first.next_cursor!}`);
    expect(second.items.map((item) => item['offset'])).toEqual(['10']);
    expect(second.next_cursor).toBeNull();

    const negative = await list('&reason=negative_quantity');
    expect(negative.items.map((item) => item['offset'])).toEqual(['11']);
    const refused = await harness.call('GET', '/v1/dead-letters?reason=bad_luck');
    expect([refused.status, refused.body]).toMatchObject([
      422,
      { error_code: 'VALIDATION_FAILED' },
    ]);
  });

  it('applies a balance and an alert whose percent is beyond a 32-bit integer', async () => {
    // Prepaid credit far above a small allowance: 30,000,000 of credit on 0.01 is
    // 300,000,000,100 % available, and a spend percent of -299,999,999,900.
    const account = 'acct_rev_huge_percent';
    await produce('ledger.balance-changed', account, [
      {
        ...balance(account, 1, 'GREEN', '30000000.000000'),
        allowance: '0.010000',
        used: '0.000000',
        remaining: '0.010000',
        available: '30000000.010000',
        available_percent: 300_000_000_100,
      },
    ]);
    await produce('alerts.fired', account, [
      {
        schema_version: 1,
        id: 'al_huge_percent',
        account_id: account,
        api_key_id: null,
        kind: 'auto_topup_paused',
        state: 'fired',
        level: 'GREEN',
        percent: -299_999_999_900,
        period_start: null,
        message: `account ${account}: auto top-up is paused`,
        at: new Date().toISOString(),
      },
    ]);
    const read = await eventually(async () => {
      const body = await get<{ balance: Item | null }>(`/v1/accounts/${account}`);
      expect(body.balance).not.toBeNull();
      return body;
    });
    expect(read.balance).toMatchObject({
      allowance: '0.010000',
      extra_credit_remaining: '30000000.000000',
      available: '30000000.010000',
      available_percent: 300_000_000_100,
      alert_level: 'GREEN',
    });
    const alerts = await eventually(async () => {
      const page = await get<Page<Item>>(`/v1/accounts/${account}/alerts`);
      expect(page.items).toHaveLength(1);
      return page.items;
    });
    expect(alerts[0]).toMatchObject({
      alert_id: 'al_huge_percent',
      kind: 'auto_topup_paused',
      percent: -299_999_999_900,
    });
  });
});
