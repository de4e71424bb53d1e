import type { LedgerTransaction } from '@tally/budget-domain';
import { createApiKey, eventually, queryDatabase, usageRated } from '@tally/testing';
import type { CommandClient, TopicRecorder } from '@tally/testing';
import { LedgerHarness, TestClock } from './ledger.harness';

type Reply = Record<string, unknown>;

/** Issue 19: plans charge cost + markup − discount, volume tiers split at the boundary, monthly caps. */
describe('plans on the ledger', () => {
  const clock = new TestClock(new Date('2026-11-10T00:00:00Z'));
  const ledger = new LedgerHarness(undefined, clock);
  let commands: CommandClient;
  let transactions: TopicRecorder;
  const schema = () => ledger.isolation.schema('ledger');

  const posted = async (account: string) =>
    (
      await queryDatabase<{ count: number }>(
        ledger.isolation.databaseUrl,
        `SELECT count(*)::int AS count FROM "${schema()}".usage_lines WHERE account_id = $1`,
        [account],
      )
    )[0]!.count;
  /** Posts rated usage through usage.rated, in order, and waits until the ledger has all of it. */
  const use = async (account: string, events: Array<Record<string, unknown>>) => {
    const before = await posted(account);
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, events);
    await eventually(async () => expect(await posted(account)).toBe(before + events.length));
  };
  const rated = (
    account: string,
    cost: string,
    inputTokens: number,
    overrides: Record<string, unknown> = {},
  ) =>
    usageRated(account, cost, {
      quantities: { input_tokens: inputTokens, output_tokens: 0 },
      ...overrides,
    });
  /** The lines of the account as announced on ledger.transactions, in posting order. */
  const announcedLines = (account: string, count: number) =>
    eventually(() => {
      const lines = transactions
        .json<LedgerTransaction>()
        .filter((t) => t.account_id === account && t.kind === 'usage')
        .flatMap((t) => t.lines ?? []);
      expect(lines).toHaveLength(count);
      return lines;
    });
  const account = async (id: string, plan?: string, credit?: string) => {
    await commands.send('ledger.create-account', { account_id: id, name: id });
    if (plan) {
      expect(await commands.send('ledger.assign-plan', { account_id: id, plan })).toMatchObject({
        account_id: id,
        plan: { name: plan },
      });
    }
    if (credit) {
      await commands.send('ledger.grant-credit', {
        account_id: id,
        amount: credit,
        kind: 'grant',
        reason: 'test',
        idempotency_key: `credit-${id}`,
      });
    }
  };
  const authorize = async (secret: string, body: Record<string, unknown>) => {
    const response = await ledger.authorize(secret, { ttl_seconds: 60, ...body });
    return { status: response.status, body: (await response.json()) as Reply };
  };
  const release = async (secret: string, reservationId: unknown) => {
    expect((await ledger.release(secret, String(reservationId))).status).toBe(204);
  };

  beforeAll(async () => {
    await ledger.start();
    transactions = await ledger.kafka.record(ledger.topic('ledger.transactions'));
    commands = await ledger.commands();
  });
  afterAll(() => ledger.stop());

  it('sets, reads and lists plans; the free plan is there from the start; bad plans are refused', async () => {
    expect(await commands.send('ledger.list-plans', {})).toEqual({
      items: [
        {
          name: 'free',
          markup_percent_paid: '0',
          markup_percent_free: '0',
          volume_discount_tiers: [],
          included_allowance: null,
          monthly_cap: null,
          updated_at: expect.any(String),
        },
      ],
    });
    expect(
      await commands.send('ledger.set-plan', {
        name: 'enterprise',
        volume_discount_tiers: [{ from_tokens: 1_000_000, percent: '20' }],
      }),
    ).toMatchObject({
      name: 'enterprise',
      markup_percent_paid: '0',
      volume_discount_tiers: [{ from_tokens: 1_000_000, percent: '20' }],
      monthly_cap: null,
    });
    expect(
      await commands.send('ledger.set-plan', {
        name: 'reseller',
        markup_percent_paid: '10',
        markup_percent_free: 0,
      }),
    ).toMatchObject({ name: 'reseller', markup_percent_paid: '10', markup_percent_free: '0' });
    expect(await commands.send('ledger.get-plan', { name: 'reseller' })).toMatchObject({
      name: 'reseller',
    });
    expect(await commands.send('ledger.get-plan', { name: 'platinum' })).toMatchObject({
      error_code: 'PLAN_NOT_FOUND',
    });
    for (const bad of [
      { name: 'Bad Name' },
      { name: 'x', markup_percent_paid: '-1' },
      { name: 'x', markup_percent_paid: 5000 },
      { name: 'x', volume_discount_tiers: [{ from_tokens: 10, percent: '120' }] },
      { name: 'x', volume_discount_tiers: [{ from_tokens: -1, percent: '5' }] },
      { name: 'x', monthly_cap: 100 },
      { name: 'x', monthly_cap: '0' },
      { name: 'x', surprise: true },
    ]) {
      expect(await commands.send('ledger.set-plan', bad)).toMatchObject({
        error_code: 'VALIDATION_FAILED',
      });
    }
    expect(
      (await commands.send<{ items: Array<{ name: string }> }>('ledger.list-plans', {})).items.map(
        (plan) => plan.name,
      ),
    ).toEqual(['enterprise', 'free', 'reseller']);
    await commands.send('ledger.create-account', { account_id: 'acct_plan_less', name: 'x' });
    expect(
      await commands.send('ledger.assign-plan', { account_id: 'acct_plan_less', plan: 'platinum' }),
    ).toMatchObject({ error_code: 'PLAN_NOT_FOUND' });
    expect(
      await commands.send('ledger.assign-plan', { account_id: 'acct_nobody', plan: 'reseller' }),
    ).toMatchObject({ error_code: 'ACCOUNT_NOT_FOUND' });
  });

  it('an enterprise account past 1,000,000 tokens this month is charged 20 % less from that token on', async () => {
    await account('acct_enterprise', 'enterprise', '100');
    await use('acct_enterprise', [
      rated('acct_enterprise', '2.997000', 999_000),
      // 1,000 tokens before the boundary, 500 past it: 0.003 × (500 × 20 %) / 1,500 = 0.0002 off.
      rated('acct_enterprise', '0.003000', 1_500),
      // Wholly past it: 20 % off.
      rated('acct_enterprise', '0.002000', 1_000),
      // Less than a cent keeps every decimal: 0.000001 − 20 % = 0.0000008.
      rated('acct_enterprise', '0.000001', 3),
    ]);
    const lines = await announcedLines('acct_enterprise', 4);
    expect(
      lines.map((line) => [line.tokens, line.cost, line.markup, line.discount, line.charged]),
    ).toEqual([
      [999_000, '2.997000', '0.000000', '0.000000', '2.997000'],
      [1_500, '0.003000', '0.000000', '0.000200', '0.002800'],
      [1_000, '0.002000', '0.000000', '0.000400', '0.001600'],
      [3, '0.000001', '0.000000', '0.0000002', '0.0000008'],
    ]);
    expect(lines.map((line) => line.funding.credit)).toEqual([
      '2.997000',
      '0.002800',
      '0.001600',
      '0.0000008',
    ]);
    expect(
      await commands.send('ledger.budget-status', { account_id: 'acct_enterprise' }),
    ).toMatchObject({
      used: '3.0014008',
      extra_credit_remaining: '96.9985992',
    });
    expect(
      await commands.send('ledger.get-monthly-cap', { account_id: 'acct_enterprise' }),
    ).toEqual({
      account_id: 'acct_enterprise',
      plan: 'enterprise',
      monthly_cap: null,
      cap_source: null,
      month: '2026-11',
      tokens: 1_001_503,
      charged: '3.0014008',
      remaining: null,
    });
    const [stored] = await queryDatabase<Record<string, string>>(
      ledger.isolation.databaseUrl,
      `SELECT tokens::text, cost::text, markup::text, discount::text, charged::text FROM "${schema()}".usage_lines
       WHERE account_id = 'acct_enterprise' AND cost = 0.003`,
    );
    expect(stored).toEqual({
      tokens: '1500',
      cost: '0.003000000000',
      markup: '0.000000000000',
      discount: '0.000200000000',
      charged: '0.002800000000',
    });
  });

  it('an event that crosses the boundary on a fraction that does not divide is rounded once, half-even at 12 decimals', async () => {
    await account('acct_enterprise_split', 'enterprise', '10');
    await use('acct_enterprise_split', [
      rated('acct_enterprise_split', '0.100000', 999_999),
      // 1 token before, 2 past: 0.001 × 40/3 % = 0.000133333333333… off.
      rated('acct_enterprise_split', '0.001000', 3),
    ]);
    const [, crossing] = await announcedLines('acct_enterprise_split', 2);
    expect(crossing).toMatchObject({
      cost: '0.001000',
      discount: '0.000133333333',
      charged: '0.000866666667',
    });
  });

  it('a reseller plan charges 10 % on paid models and 0 on free ones, and holds a model estimate at the marked-up price', async () => {
    await account('acct_reseller', 'reseller', '10');
    await use('acct_reseller', [
      rated('acct_reseller', '0.002000', 1_500),
      rated('acct_reseller', '0.000000', 2_000, { model: 'ollama/llama3', provider: 'local' }),
      // A self-hosted model with an internal price is still a free model: no markup.
      rated('acct_reseller', '0.500000', 100, { model: 'local/llama3-70b', provider: 'local' }),
    ]);
    const lines = await announcedLines('acct_reseller', 3);
    expect(lines.map((line) => [line.model, line.cost, line.markup, line.charged])).toEqual([
      ['gpt-4o-mini', '0.002000', '0.000200', '0.002200'],
      ['ollama/llama3', '0.000000', '0.000000', '0.000000'],
      ['local/llama3-70b', '0.500000', '0.000000', '0.500000'],
    ]);
    const usage = transactions
      .json<LedgerTransaction>()
      .filter((t) => t.account_id === 'acct_reseller' && t.kind === 'usage');
    const revenue = usage
      .flatMap((t) => t.postings)
      .filter((posting) => posting.ledger_account === 'revenue')
      .map((posting) => Number(posting.amount));
    expect(revenue.reduce((a, b) => a + b, 0).toFixed(6)).toBe('0.502200');
    const [{ balance }] = (await queryDatabase<{ balance: string }>(
      ledger.isolation.databaseUrl,
      `SELECT balance::text FROM "${schema()}".ledger_accounts WHERE account_id = 'acct_reseller' AND code = 'revenue'`,
    )) as [{ balance: string }];
    expect(balance).toBe('0.502200000000');

    // gpt-4o-mini lists at 0.15 / 0.60 per 1M tokens: 1,000 in + 500 out = 0.00045, + 10 %.
    const { secret } = await createApiKey(commands, 'acct_reseller', 'gateway');
    const held = await authorize(secret, {
      service: 'llm',
      model: 'gpt-4o-mini',
      input_tokens: 1000,
      max_output_tokens: 500,
    });
    expect(held).toMatchObject({ status: 201, body: { authorized: true, amount: '0.000495' } });
    await release(secret, held.body['reservation_id']);
  });

  it('a monthly cap refuses authorizations past it (402 BUDGET_EXHAUSTED naming the cap), usage past it lands in overage, and it resets with the month', async () => {
    clock.set('2026-11-20T10:00:00Z');
    await account('acct_capped', undefined, '100');
    const { secret } = await createApiKey(commands, 'acct_capped', 'gateway');
    expect(
      await commands.send('ledger.set-monthly-cap', {
        account_id: 'acct_capped',
        monthly_cap: '5.00',
      }),
    ).toEqual({
      account_id: 'acct_capped',
      plan: 'free',
      monthly_cap: '5.000000',
      cap_source: 'account',
      month: '2026-11',
      tokens: 0,
      charged: '0.000000',
      remaining: '5.000000',
    });
    for (const bad of [
      { account_id: 'acct_capped', monthly_cap: '0' },
      { account_id: 'acct_capped', monthly_cap: 5 },
      { account_id: 'acct_capped', monthly_cap: '-1' },
    ]) {
      expect(await commands.send('ledger.set-monthly-cap', bad)).toMatchObject({
        error_code: 'VALIDATION_FAILED',
      });
    }
    expect(
      await commands.send('ledger.set-monthly-cap', {
        account_id: 'acct_nobody',
        monthly_cap: '1',
      }),
    ).toMatchObject({ error_code: 'ACCOUNT_NOT_FOUND' });

    await use('acct_capped', [rated('acct_capped', '4.500000', 100)]);
    // A live hold counts against the cap as well.
    const small = await authorize(secret, { estimated_cost: '0.30' });
    expect(small).toMatchObject({ status: 201, body: { authorized: true } });
    const refused = await authorize(secret, { estimated_cost: '0.21' });
    expect(refused).toEqual({
      status: 402,
      body: {
        authorized: false,
        reservation_id: null,
        error_code: 'BUDGET_EXHAUSTED',
        message: 'the monthly cap of 5.00 USD leaves 0.20 USD this month',
        available: '95.200000',
        alert_level: 'GREEN',
        recommended_strategy: 'QUALITY_FIRST',
      },
    });
    await release(secret, small.body['reservation_id']);
    expect(await authorize(secret, { estimated_cost: '0.51' })).toMatchObject({
      status: 402,
      body: {
        error_code: 'BUDGET_EXHAUSTED',
        message: expect.stringMatching(/^the monthly cap of 5\.00 USD /),
      },
    });

    // Usage that comes all the same: what fits under the cap is paid by credit, the rest is overage.
    await use('acct_capped', [rated('acct_capped', '1.000000', 100)]);
    const lines = await announcedLines('acct_capped', 2);
    expect(lines[1]!.funding).toEqual({
      allowance: '0.000000',
      credit: '0.500000',
      overage: '0.500000',
    });
    expect(
      await commands.send('ledger.budget-status', { account_id: 'acct_capped' }),
    ).toMatchObject({
      used: '5.500000',
      extra_credit_remaining: '95.000000',
      overage: '0.500000',
    });
    expect(
      await commands.send('ledger.get-monthly-cap', { account_id: 'acct_capped' }),
    ).toMatchObject({
      month: '2026-11',
      charged: '5.500000',
      remaining: '0.000000',
    });
    expect(await authorize(secret, { estimated_cost: '0.01' })).toMatchObject({
      status: 402,
      body: {
        error_code: 'BUDGET_EXHAUSTED',
        message: expect.stringMatching(/^the monthly cap of 5\.00 USD /),
      },
    });

    // A new calendar month: the cap is whole again, and usage is paid by credit.
    clock.set('2026-12-01T00:00:00Z');
    expect(
      await commands.send('ledger.get-monthly-cap', { account_id: 'acct_capped' }),
    ).toMatchObject({
      month: '2026-12',
      charged: '0.000000',
      remaining: '5.000000',
    });
    const december = await authorize(secret, { estimated_cost: '4.00' });
    expect(december).toMatchObject({ status: 201, body: { authorized: true } });
    await release(secret, december.body['reservation_id']);
    await use('acct_capped', [rated('acct_capped', '1.000000', 100)]);
    expect((await announcedLines('acct_capped', 3))[2]!.funding).toEqual({
      allowance: '0.000000',
      credit: '1.000000',
      overage: '0.000000',
    });

    expect(
      await commands.send('ledger.remove-monthly-cap', { account_id: 'acct_capped' }),
    ).toMatchObject({
      monthly_cap: null,
      cap_source: null,
      charged: '1.000000',
      remaining: null,
    });
    expect(await authorize(secret, { estimated_cost: '20.00' })).toMatchObject({ status: 201 });
  });

  it("a plan's cap applies to its accounts unless an account has its own", async () => {
    clock.set('2026-12-05T00:00:00Z');
    await commands.send('ledger.set-plan', { name: 'capped', monthly_cap: '1.00' });
    await account('acct_plan_capped', 'capped', '10');
    const { secret } = await createApiKey(commands, 'acct_plan_capped', 'gateway');
    expect(
      await commands.send('ledger.get-monthly-cap', { account_id: 'acct_plan_capped' }),
    ).toMatchObject({
      plan: 'capped',
      monthly_cap: '1.000000',
      cap_source: 'plan',
    });
    expect(await authorize(secret, { estimated_cost: '1.01' })).toMatchObject({
      status: 402,
      body: {
        error_code: 'BUDGET_EXHAUSTED',
        message: expect.stringMatching(/^the monthly cap of 1\.00 USD /),
      },
    });
    await commands.send('ledger.set-monthly-cap', {
      account_id: 'acct_plan_capped',
      monthly_cap: '2',
    });
    expect(await authorize(secret, { estimated_cost: '1.01' })).toMatchObject({ status: 201 });
    expect(
      await commands.send('ledger.remove-monthly-cap', { account_id: 'acct_plan_capped' }),
    ).toMatchObject({ monthly_cap: '1.000000', cap_source: 'plan' });
  });

  it('a plan with an included allowance gives an account without a budget a monthly budget of it', async () => {
    clock.set('2026-12-10T12:00:00Z');
    await commands.send('ledger.set-plan', { name: 'starter', included_allowance: '25.00' });
    await commands.send('ledger.create-account', { account_id: 'acct_starter', name: 'x' });
    expect(
      await commands.send('ledger.assign-plan', { account_id: 'acct_starter', plan: 'starter' }),
    ).toMatchObject({ budget_created: true, plan: { included_allowance: '25.000000' } });
    expect(
      await commands.send('ledger.budget-status', { account_id: 'acct_starter' }),
    ).toMatchObject({
      remaining: '25.000000',
      period: { start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' },
    });
    // Assigned again, or to an account with a budget of its own: the budget stays as it is.
    expect(
      await commands.send('ledger.assign-plan', { account_id: 'acct_starter', plan: 'starter' }),
    ).toMatchObject({ budget_created: false });
    clock.set('2027-01-01T00:00:00Z');
    expect(
      await commands.send('ledger.budget-status', { account_id: 'acct_starter' }),
    ).toMatchObject({
      remaining: '25.000000',
      period: { start: '2027-01-01T00:00:00.000Z' },
    });
  });

  it('an account created on a tier that names a plan is on that plan; a tier naming none is a label', async () => {
    await commands.send('ledger.set-plan', {
      name: 'gold',
      markup_percent_paid: '10',
      included_allowance: '50.00',
    });
    expect(
      await commands.send('ledger.create-account', {
        account_id: 'acct_gold',
        name: 'x',
        tier: 'gold',
      }),
    ).toMatchObject({ tier: 'gold', created: true });
    expect(
      await commands.send('ledger.get-monthly-cap', { account_id: 'acct_gold' }),
    ).toMatchObject({ plan: 'gold' });
    expect(await commands.send('ledger.budget-status', { account_id: 'acct_gold' })).toMatchObject({
      remaining: '50.000000',
    });
    // The same create again changes nothing.
    expect(
      await commands.send('ledger.create-account', {
        account_id: 'acct_gold',
        name: 'x',
        tier: 'gold',
      }),
    ).toMatchObject({ tier: 'gold', created: false });

    await commands.send('ledger.create-account', {
      account_id: 'acct_platinum_label',
      name: 'x',
      tier: 'platinum',
    });
    expect(
      await commands.send('ledger.get-monthly-cap', { account_id: 'acct_platinum_label' }),
    ).toMatchObject({ plan: 'free' });

    await use('acct_gold', [rated('acct_gold', '1.000000', 100)]);
    await use('acct_platinum_label', [rated('acct_platinum_label', '1.000000', 100)]);
    expect((await announcedLines('acct_gold', 1)).map((line) => line.charged)).toEqual([
      '1.100000',
    ]);
    expect((await announcedLines('acct_platinum_label', 1)).map((line) => line.charged)).toEqual([
      '1.000000',
    ]);
    expect(await commands.send('ledger.budget-status', { account_id: 'acct_gold' })).toMatchObject({
      used: '1.100000',
      remaining: '48.900000',
    });
  });

  it('an account without a plan pays cost, and the books reconcile after all of it', async () => {
    await use('acct_no_plan', [rated('acct_no_plan', '0.123456789012', 10)]);
    expect((await announcedLines('acct_no_plan', 1))[0]).toMatchObject({
      cost: '0.123456789012',
      markup: '0.000000',
      discount: '0.000000',
      charged: '0.123456789012',
    });
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({
      ok: true,
      mismatches: [],
    });
  });

  it('reconciliation reports a line whose charge does not add up and a month counter that is not its lines', async () => {
    const tamper = (sql: string) => queryDatabase(ledger.isolation.databaseUrl, sql);
    await tamper(
      `UPDATE "${schema()}".usage_lines SET markup = markup + 0.01 WHERE account_id = 'acct_no_plan'`,
    );
    await tamper(
      `UPDATE "${schema()}".monthly_usage SET tokens = tokens + 1 WHERE account_id = 'acct_reseller'`,
    );
    const report = await commands.send<{ ok: boolean; mismatches: Reply[] }>(
      'ledger.reconcile',
      {},
    );
    expect(report.ok).toBe(false);
    expect(report.mismatches).toEqual([
      { kind: 'usage_lines', account_id: 'acct_no_plan', transaction_id: expect.any(String) },
      {
        kind: 'monthly_usage',
        account_id: 'acct_reseller',
        month: '2026-11-01',
        counted_tokens: '3601',
        posted_tokens: '3600',
        counted_charged: '0.502200000000',
        posted_charged: '0.502200000000',
      },
    ]);
    await tamper(
      `UPDATE "${schema()}".usage_lines SET markup = markup - 0.01 WHERE account_id = 'acct_no_plan'`,
    );
    await tamper(
      `UPDATE "${schema()}".monthly_usage SET tokens = tokens - 1 WHERE account_id = 'acct_reseller'`,
    );
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true });
  });

  it('a slice charged nothing (a self-hosted model, a plan that discounts all of it) posts its lines, and the books still reconcile', async () => {
    await use('acct_self_hosted', [
      rated('acct_self_hosted', '0.000000', 2_000, { model: 'ollama/llama3', provider: 'local' }),
    ]);
    await commands.send('ledger.set-plan', {
      name: 'internal',
      volume_discount_tiers: [{ from_tokens: 0, percent: '100' }],
    });
    await account('acct_internal', 'internal');
    await use('acct_internal', [rated('acct_internal', '0.250000', 1_000)]);
    expect(
      [
        ...(await announcedLines('acct_self_hosted', 1)),
        ...(await announcedLines('acct_internal', 1)),
      ].map((line) => [line.cost, line.discount, line.charged]),
    ).toEqual([
      ['0.000000', '0.000000', '0.000000'],
      ['0.250000', '0.250000', '0.000000'],
    ]);
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({
      ok: true,
      mismatches: [],
    });
  });
});
