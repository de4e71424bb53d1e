import { AdminHarness } from './admin.harness';

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
type Body = Record<string, unknown>;

describe('plans and coupons through admin, against the ledger', () => {
  const harness = new AdminHarness();
  const own = 'acct_coupons_own';
  const other = 'acct_coupons_other';
  let tenant: string;

  const enterprise = {
    markup_percent_paid: '10',
    markup_percent_free: '0',
    volume_discount_tiers: [{ from_tokens: 1_000_000, percent: '20' }],
    included_allowance: '100.00',
    monthly_cap: '5000.00',
  };
  const enterpriseAnswer = {
    name: 'enterprise',
    markup_percent_paid: '10',
    markup_percent_free: '0',
    volume_discount_tiers: [{ from_tokens: 1_000_000, percent: '20' }],
    included_allowance: '100.000000',
    monthly_cap: '5000.000000',
    updated_at: expect.any(String),
  };
  const redeem = (accountId: string, body: unknown, token?: string) =>
    harness.call('POST', `/v1/accounts/${accountId}/coupons/redeem`, { body, token });
  const refusal = (answer: { status: number; body: Body }) => [
    answer.status,
    answer.body['error_code'],
  ];

  beforeAll(async () => {
    await harness.start();
    for (const account of [own, other]) {
      const created = await harness.call('POST', '/v1/accounts', {
        body: { account_id: account, name: account },
      });
      expect(created.status).toBe(201);
    }
    tenant = (
      await harness.call<{ token: string }>('POST', '/v1/tokens', {
        body: { role: 'tenant', account_id: own, name: 'coupons tenant' },
      })
    ).body.token;
  });
  afterAll(() => harness.stop());

  it('sets a plan, reads it back and lists it beside free', async () => {
    const set = await harness.call('PUT', '/v1/plans/enterprise', { body: enterprise });
    expect([set.status, set.body]).toEqual([200, enterpriseAnswer]);

    const read = await harness.call('GET', '/v1/plans/enterprise');
    expect([read.status, read.body]).toEqual([
      200,
      { ...enterpriseAnswer, updated_at: set.body['updated_at'] },
    ]);

    const listed = await harness.call<Page<Body>>('GET', '/v1/plans');
    expect(listed.status).toBe(200);
    expect(listed.body.next_cursor).toBeNull();
    expect(listed.body.items.map((plan) => plan['name'])).toEqual(['enterprise', 'free']);
    expect(listed.body.items[0]).toEqual(read.body);

    expect(refusal(await harness.call('GET', '/v1/plans/platinum'))).toEqual([
      404,
      'PLAN_NOT_FOUND',
    ]);
  });

  it('refuses a malformed plan (422) before it reaches the ledger', async () => {
    for (const body of [
      { monthly_cap: '-5.00' },
      { monthly_cap: 5000 },
      { included_allowance: 'ten' },
      { markup_percent_paid: '10%' },
      { volume_discount_tiers: [{ from_tokens: -1, percent: '5' }] },
      { name: 'other', markup_percent_paid: '10' },
    ]) {
      const refused = await harness.call('PUT', '/v1/plans/broken', { body });
      // Admin's own check names the body; the ledger's refusal would not.
      expect([JSON.stringify(body), ...refusal(refused), refused.body['message']]).toEqual([
        JSON.stringify(body),
        422,
        'VALIDATION_FAILED',
        expect.stringMatching(/^body: /),
      ]);
    }
    const longName = await harness.call('PUT', `/v1/plans/${'p'.repeat(65)}`, { body: {} });
    expect([...refusal(longName), longName.body['message']]).toEqual([
      422,
      'VALIDATION_FAILED',
      expect.stringMatching(/^name: /),
    ]);
    expect(refusal(await harness.call('GET', '/v1/plans/broken'))).toEqual([404, 'PLAN_NOT_FOUND']);
  });

  it('keeps plans to admins: a tenant gets 403', async () => {
    const put = await harness.call('PUT', '/v1/plans/enterprise', {
      body: { markup_percent_paid: '0' },
      token: tenant,
    });
    expect(refusal(put)).toEqual([403, 'FORBIDDEN']);
    expect(refusal(await harness.call('GET', '/v1/plans', { token: tenant }))).toEqual([
      403,
      'FORBIDDEN',
    ]);
    const assign = await harness.call('PUT', `/v1/accounts/${own}/plan`, {
      body: { plan: 'free' },
      token: tenant,
    });
    expect(refusal(assign)).toEqual([403, 'FORBIDDEN']);
    // The plan is as the admin set it.
    expect((await harness.call('GET', '/v1/plans/enterprise')).body).toMatchObject({
      markup_percent_paid: '10',
    });
  });

  it('sets a plan named in the body at PUT /v1/plans, as DESIGN 5 writes the route (/v1/plans[/:name])', async () => {
    const set = await harness.call('PUT', '/v1/plans', {
      body: { name: 'starter', markup_percent_paid: '5' },
    });
    expect([set.status, set.body]).toEqual([
      200,
      expect.objectContaining({ name: 'starter', markup_percent_paid: '5' }),
    ]);
    expect((await harness.call('GET', '/v1/plans/starter')).body).toEqual(set.body);
    expect(refusal(await harness.call('PUT', '/v1/plans', { body: {} }))).toEqual([
      422,
      'VALIDATION_FAILED',
    ]);
    const byTenant = await harness.call('PUT', '/v1/plans', {
      body: { name: 'starter', markup_percent_paid: '0' },
      token: tenant,
    });
    expect(refusal(byTenant)).toEqual([403, 'FORBIDDEN']);
  });

  it("assigns a plan: its included allowance becomes the account's monthly budget", async () => {
    const assigned = await harness.call('PUT', `/v1/accounts/${own}/plan`, {
      body: { plan: 'enterprise' },
    });
    expect([assigned.status, assigned.body]).toEqual([
      200,
      {
        account_id: own,
        plan: enterpriseAnswer,
        assigned_at: expect.any(String),
        budget_created: true,
      },
    ]);
    const status = await harness.call('GET', `/v1/accounts/${own}/budget-status`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ used: '0.000000', remaining: '100.000000' });
    // The account reads as on its plan: assigning names the plan as its tier.
    const read = await harness.call('GET', `/v1/accounts/${own}`, { token: tenant });
    expect([read.status, read.body['tier']]).toEqual([200, 'enterprise']);

    const unknownPlan = await harness.call('PUT', `/v1/accounts/${own}/plan`, {
      body: { plan: 'platinum' },
    });
    expect(refusal(unknownPlan)).toEqual([404, 'PLAN_NOT_FOUND']);
    const unknownAccount = await harness.call('PUT', '/v1/accounts/acct_nobody/plan', {
      body: { plan: 'enterprise' },
    });
    expect(refusal(unknownAccount)).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    for (const body of [{}, { plan: '' }, { plan: 7 }, { name: 'enterprise' }]) {
      const refused = await harness.call('PUT', `/v1/accounts/${own}/plan`, { body });
      expect(refusal(refused)).toEqual([422, 'VALIDATION_FAILED']);
    }
  });

  it("sets an account's own monthly cap over its plan's, and removes it again", async () => {
    const capOf = (token?: string) =>
      harness.call('GET', `/v1/accounts/${own}/monthly-cap`, { token });
    const month = new Date().toISOString().slice(0, 7);
    const planCap = {
      account_id: own,
      plan: 'enterprise',
      monthly_cap: '5000.000000',
      cap_source: 'plan',
      month,
      tokens: 0,
      charged: '0.000000',
      remaining: '5000.000000',
    };
    const read = await capOf(tenant);
    expect([read.status, read.body]).toEqual([200, planCap]);

    const set = await harness.call('PUT', `/v1/accounts/${own}/monthly-cap`, {
      body: { monthly_cap: '500.00' },
    });
    const ownCap = {
      ...planCap,
      monthly_cap: '500.000000',
      cap_source: 'account',
      remaining: '500.000000',
    };
    expect([set.status, set.body]).toEqual([200, ownCap]);
    expect((await capOf(tenant)).body).toEqual(ownCap);

    const byTenant = await harness.call('PUT', `/v1/accounts/${own}/monthly-cap`, {
      body: { monthly_cap: '1000000.00' },
      token: tenant,
    });
    expect(refusal(byTenant)).toEqual([403, 'FORBIDDEN']);
    const removeByTenant = await harness.call('DELETE', `/v1/accounts/${own}/monthly-cap`, {
      token: tenant,
    });
    expect(refusal(removeByTenant)).toEqual([403, 'FORBIDDEN']);
    expect((await capOf()).body).toEqual(ownCap);

    for (const body of [
      {},
      { monthly_cap: '0' },
      { monthly_cap: '-5.00' },
      { monthly_cap: 500 },
      { monthly_cap: '500', cap_source: 'plan' },
    ]) {
      const refused = await harness.call('PUT', `/v1/accounts/${own}/monthly-cap`, { body });
      expect([JSON.stringify(body), ...refusal(refused)]).toEqual([
        JSON.stringify(body),
        422,
        'VALIDATION_FAILED',
      ]);
    }
    const nobody = await harness.call('PUT', '/v1/accounts/acct_nobody/monthly-cap', {
      body: { monthly_cap: '1' },
    });
    expect(refusal(nobody)).toEqual([404, 'ACCOUNT_NOT_FOUND']);

    const removed = await harness.call('DELETE', `/v1/accounts/${own}/monthly-cap`);
    expect([removed.status, removed.body]).toEqual([200, planCap]);
  });

  it('creates a coupon once: the same request again is 200, other terms 409', async () => {
    const body = { code: 'WELCOME10', kind: 'credit', amount: '10.00', max_redemptions: 100 };
    const created = await harness.call('POST', '/v1/coupons', { body });
    expect([created.status, created.body]).toEqual([
      201,
      {
        code: 'WELCOME10',
        kind: 'credit',
        amount: '10.000000',
        percent: null,
        duration_days: null,
        expires_at: null,
        max_redemptions: 100,
        redemptions: 0,
        created_at: expect.any(String),
      },
    ]);
    const again = await harness.call('POST', '/v1/coupons', { body });
    expect([again.status, again.body]).toEqual([200, created.body]);
    const otherTerms = await harness.call('POST', '/v1/coupons', {
      body: { ...body, amount: '20.00' },
    });
    expect(refusal(otherTerms)).toEqual([409, 'COUPON_CONFLICT']);
    const byTenant = await harness.call('POST', '/v1/coupons', { body, token: tenant });
    expect(refusal(byTenant)).toEqual([403, 'FORBIDDEN']);
    for (const bad of [
      { ...body, amount: 10 },
      { ...body, amount: '-1' },
      { ...body, kind: 'gift' },
      { ...body, expires_at: 'tomorrow' },
      { ...body, stackable: true },
    ]) {
      expect(refusal(await harness.call('POST', '/v1/coupons', { body: bad }))).toEqual([
        422,
        'VALIDATION_FAILED',
      ]);
    }
  });

  it('lets a tenant redeem a credit coupon for its own account, once', async () => {
    const redeemed = await redeem(own, { code: 'welcome10' }, tenant);
    expect([redeemed.status, redeemed.body]).toEqual([
      201,
      {
        account_id: own,
        code: 'WELCOME10',
        kind: 'credit',
        amount: '10.000000',
        percent: null,
        discount_ends_at: null,
        transaction_id: expect.any(String),
        redeemed_at: expect.any(String),
      },
    ]);
    const status = await harness.call('GET', `/v1/accounts/${own}/budget-status`, {
      token: tenant,
    });
    expect(status.body).toMatchObject({ extra_credit_remaining: '10.000000' });

    expect(refusal(await redeem(own, { code: 'WELCOME10' }, tenant))).toEqual([
      409,
      'COUPON_ALREADY_REDEEMED',
    ]);
    expect(refusal(await redeem(other, { code: 'WELCOME10' }, tenant))).toEqual([
      404,
      'ACCOUNT_NOT_FOUND',
    ]);
    // The other account's own redemption is untouched by the tenant's attempt.
    expect((await redeem(other, { code: 'WELCOME10' })).status).toBe(201);
  });

  it('passes on the ledger refusals of a redemption with their codes', async () => {
    expect(refusal(await redeem(own, { code: 'NO-SUCH-CODE' }, tenant))).toEqual([
      404,
      'COUPON_NOT_FOUND',
    ]);
    await harness.call('POST', '/v1/coupons', {
      body: { code: 'SPRING2020', kind: 'credit', amount: '5', expires_at: '2020-06-01T00:00:00Z' },
    });
    expect(refusal(await redeem(own, { code: 'SPRING2020' }, tenant))).toEqual([
      409,
      'COUPON_EXPIRED',
    ]);
    await harness.call('POST', '/v1/coupons', {
      body: {
        code: 'ONLYONE',
        kind: 'percent',
        percent: '15',
        duration_days: 30,
        max_redemptions: 1,
      },
    });
    expect((await redeem(other, { code: 'ONLYONE' })).status).toBe(201);
    expect(refusal(await redeem(own, { code: 'ONLYONE' }, tenant))).toEqual([
      409,
      'COUPON_EXHAUSTED',
    ]);
  });

  it('refuses a malformed redemption (422)', async () => {
    for (const body of [{}, { code: '' }, { code: 10 }, { code: 'WELCOME10', account_id: other }]) {
      expect(refusal(await redeem(own, body, tenant))).toEqual([422, 'VALIDATION_FAILED']);
    }
    const truncated = await harness.call('POST', `/v1/accounts/${own}/coupons/redeem`, {
      token: tenant,
      body: '{"code":',
    });
    expect(refusal(truncated)).toEqual([422, 'VALIDATION_FAILED']);
  });
});
