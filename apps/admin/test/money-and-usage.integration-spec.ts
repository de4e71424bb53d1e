import { eventually, queryDatabase, usageRated } from '@tally/testing';
import { AdminHarness } from './admin.harness';

interface Transaction {
  transaction_id: string;
  kind: string;
  amount: string;
  posted_at: string;
  funding: { allowance: string; credit: string; bonus: string; overage: string } | null;
}
interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

describe('API keys, budgets, credit, transactions and usage against the ledger', () => {
  const harness = new AdminHarness();
  const account = 'acct_money';
  let apiKeyId: string;

  const transactions = async (query = '') =>
    (await harness.call<Page<Transaction>>('GET', `/v1/accounts/${account}/transactions${query}`))
      .body;

  beforeAll(async () => {
    await harness.start();
    const created = await harness.call('POST', '/v1/accounts', {
      body: { account_id: account, name: 'Money Inc' },
    });
    expect(created.status).toBe(201);
  });
  afterAll(() => harness.stop());

  it('creates an API key whose secret is shown once and never stored', async () => {
    const created = await harness.call<{ api_key_id: string; secret: string; prefix: string }>(
      'POST',
      `/v1/accounts/${account}/api-keys`,
      { body: { name: 'gateway' } },
    );
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['api_key_id', 'prefix', 'secret']);
    expect(created.body.secret.startsWith(created.body.prefix)).toBe(true);
    apiKeyId = created.body.api_key_id;
    const listed = await harness.call<Page<Record<string, unknown>>>(
      'GET',
      `/v1/accounts/${account}/api-keys`,
    );
    expect(listed.body.items).toEqual([
      {
        api_key_id: apiKeyId,
        name: 'gateway',
        prefix: created.body.prefix,
        created_at: expect.any(String),
        revoked_at: null,
      },
    ]);
    expect(listed.text).not.toContain(created.body.secret);
    const stored = await queryDatabase<Record<string, unknown>>(
      harness.isolation.databaseUrl,
      `SELECT * FROM ${harness.isolation.schema('admin')}.api_keys`,
    );
    expect(JSON.stringify(stored)).not.toContain(created.body.secret.slice(12));
  });

  it('sets the account budget and a key budget through the ledger', async () => {
    const budget = await harness.call('PUT', `/v1/accounts/${account}/budget`, {
      body: { period: 'monthly', reset_day: 1, limit: '10.00', hard_limit: false },
    });
    expect(budget.status).toBe(200);
    expect(budget.body).toMatchObject({
      account_id: account,
      api_key_id: null,
      period: 'monthly',
      limit: '10.000000',
      allowance: '10.000000',
    });
    const keyBudget = await harness.call(
      'PUT',
      `/v1/accounts/${account}/api-keys/${apiKeyId}/budget`,
      {
        body: { period: 'monthly', limit: '100', hard_limit: true },
      },
    );
    expect(keyBudget.status).toBe(200);
    expect(keyBudget.body).toMatchObject({ api_key_id: apiKeyId, limit: '100.000000' });
    const unknownKey = await harness.call(
      'PUT',
      `/v1/accounts/${account}/api-keys/key_nope/budget`,
      {
        body: { period: 'monthly', limit: '1', hard_limit: true },
      },
    );
    expect(unknownKey.status).toBe(404);
    expect(unknownKey.body['error_code']).toBe('API_KEY_NOT_FOUND');
    const bad = await harness.call('PUT', `/v1/accounts/${account}/budget`, {
      body: { period: 'yearly', limit: '1', hard_limit: true },
    });
    expect(bad.status).toBe(422);
    expect(bad.body['error_code']).toBe('VALIDATION_FAILED');
  });

  it("takes DESIGN 4's max_rollover_percent for a budget's rollover cap", async () => {
    const route = `/v1/accounts/${account}/api-keys/${apiKeyId}/budget`;
    const keyBudget = await harness.call('PUT', route, {
      body: { period: 'monthly', limit: '100', hard_limit: true, max_rollover_percent: 25 },
    });
    expect([keyBudget.status, keyBudget.body['rollover_max_percent']]).toEqual([200, 25]);
    const both = await harness.call('PUT', route, {
      body: {
        period: 'monthly',
        limit: '100',
        hard_limit: true,
        rollover_max_percent: 25,
        max_rollover_percent: 25,
      },
    });
    expect([both.status, both.body['error_code']]).toEqual([422, 'VALIDATION_FAILED']);
  });

  it('grants credit once per idempotency key and refuses bad amounts', async () => {
    const body = { amount: '5.00', kind: 'bonus', reason: 'welcome', idempotency_key: 'welcome-1' };
    const first = await harness.call<Record<string, string>>(
      'POST',
      `/v1/accounts/${account}/credits`,
      {
        body,
      },
    );
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      transaction_id: expect.any(String),
      kind: 'bonus',
      amount: '5.000000',
      posted_at: expect.any(String),
    });
    const again = await harness.call('POST', `/v1/accounts/${account}/credits`, { body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const reused = await harness.call('POST', `/v1/accounts/${account}/credits`, {
      body: { ...body, amount: '6.00' },
    });
    expect(reused.status).toBe(409);
    expect(reused.body['error_code']).toBe('IDEMPOTENCY_KEY_REUSED');
    const otherKind = await harness.call('POST', `/v1/accounts/${account}/credits`, {
      body: { ...body, kind: 'grant' },
    });
    expect(otherKind.status).toBe(409);
    for (const amount of ['-5', '0', 'ten', 10, '1000000.01', '1e3', '']) {
      const refused = await harness.call('POST', `/v1/accounts/${account}/credits`, {
        body: { ...body, amount, idempotency_key: `bad-${String(amount)}` },
      });
      expect([String(amount), refused.status, refused.body['error_code']]).toEqual([
        String(amount),
        422,
        'INVALID_AMOUNT',
      ]);
    }
    const listed = await eventually(async () => {
      const page = await transactions('?kind=bonus');
      expect(page.items).toHaveLength(1);
      return page.items[0];
    });
    expect(listed).toEqual({ ...first.body, funding: null });
  });

  it('splits usage funding: allowance, then bonus credit, then purchased credit', async () => {
    await harness.admin.kafka.produceJson(harness.topic('payments.events'), account, [
      {
        schema_version: 1,
        id: 'pay_1',
        account_id: account,
        kind: 'credit_purchased',
        trigger: 'manual',
        credit_amount: '20.000000',
        paid_amount: '60.00',
        paid_currency: 'CHF',
        stripe_ref: 'cs_test_1',
        at: new Date().toISOString(),
      },
    ]);
    await eventually(async () =>
      expect((await transactions('?kind=purchase')).items).toHaveLength(1),
    );
    const events = [
      ...Array.from({ length: 8 }, () =>
        usageRated(account, '1.500000', {
          api_key_id: apiKeyId,
          quantities: { input_tokens: 1000, output_tokens: 200 },
        }),
      ),
      ...Array.from({ length: 4 }, () =>
        usageRated(account, '1.500000', {
          api_key_id: apiKeyId,
          provider: 'anthropic',
          model: 'claude-3-5-haiku',
          quantities: { input_tokens: 500, output_tokens: 100 },
        }),
      ),
    ];
    await harness.admin.kafka.produceJson(harness.topic('usage.rated'), account, events);
    // The ledger posts an account's events of one slice as one usage transaction (DESIGN 3.3):
    // however they were batched, the amounts and the funding add up to the 12 events.
    const usage = await eventually(async () => {
      const page = await transactions('?kind=usage&limit=100');
      const charged = page.items.reduce((sum, t) => sum - Number(t.amount), 0);
      expect(charged.toFixed(6)).toBe('18.000000');
      return page.items;
    });
    const total = (part: 'allowance' | 'credit' | 'bonus' | 'overage') =>
      usage.reduce((sum, t) => sum + Number(t.funding?.[part]), 0).toFixed(6);
    expect([total('allowance'), total('bonus'), total('credit'), total('overage')]).toEqual([
      '10.000000',
      '5.000000',
      '3.000000',
      '0.000000',
    ]);
    for (const item of usage) {
      const parts = ['allowance', 'credit', 'bonus', 'overage'] as const;
      const funded = parts.reduce((sum, part) => sum + Number(item.funding?.[part]), 0);
      expect(funded.toFixed(6)).toBe(item.amount.replace('-', ''));
    }
  });

  it('answers usage per day and model equal to what the ledger says was used', async () => {
    const status = await harness.call<{ used: string; period: { start: string; end: string } }>(
      'GET',
      `/v1/accounts/${account}/budget-status`,
    );
    expect(status.status).toBe(200);
    expect(status.body.used).toBe('18.000000');
    const { start, end } = status.body.period;
    const byModel = await eventually(async () => {
      const answer = await harness.call<Page<Record<string, unknown>>>(
        'GET',
        `/v1/accounts/${account}/usage?group_by=model&from=${start}&to=${end}`,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.items).toHaveLength(2);
      return answer.body.items;
    });
    expect(byModel).toEqual([
      { model: 'claude-3-5-haiku', cost: '6.000000', tokens: 2400, requests: 4 },
      { model: 'gpt-4o-mini', cost: '12.000000', tokens: 9600, requests: 8 },
    ]);
    const total = await harness.call<Page<Record<string, unknown>>>(
      'GET',
      `/v1/accounts/${account}/usage?group_by=&from=${start}&to=${end}`,
    );
    expect(total.body.items).toEqual([{ cost: status.body.used, tokens: 12000, requests: 12 }]);
    const today = new Date().toISOString().slice(0, 10);
    const byDay = await harness.call<Page<Record<string, unknown>>>(
      'GET',
      `/v1/accounts/${account}/usage?group_by=day,provider,api_key,service`,
    );
    expect(byDay.body.items).toEqual([
      {
        day: today,
        provider: 'anthropic',
        api_key: apiKeyId,
        service: 'llm',
        cost: '6.000000',
        tokens: 2400,
        requests: 4,
      },
      {
        day: today,
        provider: 'openai',
        api_key: apiKeyId,
        service: 'llm',
        cost: '12.000000',
        tokens: 9600,
        requests: 8,
      },
    ]);
    for (const query of [
      'group_by=week',
      'group_by=day,day',
      'from=yesterday',
      'from=2026-13-01',
      'from=2026-12-02T10:00:00Z',
      `from=${end}&to=${start}`,
    ]) {
      const refused = await harness.call('GET', `/v1/accounts/${account}/usage?${query}`);
      expect([query, refused.status, refused.body['error_code']]).toEqual([
        query,
        422,
        'VALIDATION_FAILED',
      ]);
    }
  });

  it('exports the same transactions as CSV', async () => {
    const json = await transactions('?limit=500');
    const csv = await harness.call('GET', `/v1/accounts/${account}/transactions.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [header, ...lines] = csv.text.trimEnd().split('\r\n');
    expect(header).toBe(
      'transaction_id,kind,amount,posted_at,funding.allowance,funding.credit,funding.bonus,funding.overage',
    );
    const fromCsv = lines.map((line) => {
      const [transaction_id, kind, amount, posted_at, allowance, credit, bonus, overage] =
        line.split(',');
      return {
        transaction_id,
        kind,
        amount,
        posted_at,
        funding: allowance === '' ? null : { allowance, credit, bonus, overage },
      };
    });
    expect(fromCsv).toEqual(json.items);
    // The allowance issue, the bonus, the purchase, and the usage in one or more transactions.
    expect(json.items.filter((item) => item.kind !== 'usage')).toHaveLength(3);
    expect(json.items.length).toBeGreaterThan(3);
  });
});
