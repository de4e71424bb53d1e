import { AdminHarness, BOOTSTRAP_TOKEN } from './admin.harness';

const OWN = 'acct_own';
const OTHER = 'acct_other';

interface RouteCase {
  readonly method: string;
  /** The route with `:id` for the account (and any other id made by `prepare`). */
  readonly route: string;
  readonly body?: unknown;
  readonly adminOnly: boolean;
  /** The status of a request that is allowed. */
  readonly ok: number;
  /** Makes the object the route names (a key, a channel, a token) and returns its id. */
  readonly prepare?: (harness: AdminHarness, accountId: string) => Promise<string>;
}

const budget = { period: 'monthly', limit: '50.00', hard_limit: true };

async function newKey(harness: AdminHarness, accountId: string): Promise<string> {
  const key = await harness.call<{ api_key_id: string }>(
    'POST',
    `/v1/accounts/${accountId}/api-keys`,
    {
      body: { name: 'matrix' },
    },
  );
  return key.body.api_key_id ?? 'key_missing';
}

async function newChannel(harness: AdminHarness, accountId: string): Promise<string> {
  const channel = await harness.call<{ channel_id: string }>(
    'PUT',
    `/v1/accounts/${accountId}/alert-channels`,
    {
      body: { type: 'webhook', url: 'https://hooks.example.com/tally' },
    },
  );
  return channel.body.channel_id ?? 'ch_missing';
}

const coupon = { code: 'MATRIX', kind: 'credit', amount: '1.00' };

/** A coupon each account may redeem once: made again, it is the same coupon. */
async function newCoupon(harness: AdminHarness): Promise<string> {
  await harness.call('POST', '/v1/coupons', { body: coupon });
  return '';
}

/** Every route of DESIGN 5 that admin serves, and who may use it. */
const ROUTES: RouteCase[] = [
  {
    method: 'POST',
    route: '/v1/tokens',
    body: { role: 'admin', name: 'm' },
    adminOnly: true,
    ok: 201,
  },
  { method: 'GET', route: '/v1/tokens', adminOnly: true, ok: 200 },
  {
    method: 'DELETE',
    route: '/v1/tokens/:other',
    adminOnly: true,
    ok: 200,
    prepare: async (harness) =>
      (
        await harness.call<{ token_id: string }>('POST', '/v1/tokens', {
          body: { role: 'admin', name: 'gone' },
        })
      ).body.token_id,
  },
  { method: 'GET', route: '/v1/accounts', adminOnly: true, ok: 200 },
  {
    method: 'POST',
    route: '/v1/accounts',
    body: { account_id: 'acct_new', name: 'N' },
    adminOnly: true,
    ok: 201,
  },
  { method: 'GET', route: '/v1/accounts/:id', adminOnly: false, ok: 200 },
  {
    method: 'POST',
    route: '/v1/accounts/:id/api-keys',
    body: { name: 'k' },
    adminOnly: false,
    ok: 201,
  },
  { method: 'GET', route: '/v1/accounts/:id/api-keys', adminOnly: false, ok: 200 },
  {
    method: 'DELETE',
    route: '/v1/accounts/:id/api-keys/:other',
    adminOnly: false,
    ok: 200,
    prepare: newKey,
  },
  { method: 'PUT', route: '/v1/accounts/:id/budget', body: budget, adminOnly: true, ok: 200 },
  {
    method: 'PUT',
    route: '/v1/accounts/:id/api-keys/:other/budget',
    body: budget,
    adminOnly: false,
    ok: 200,
    prepare: newKey,
  },
  { method: 'GET', route: '/v1/accounts/:id/budget-status', adminOnly: false, ok: 200 },
  {
    method: 'POST',
    route: '/v1/accounts/:id/credits',
    body: { amount: '1.00', kind: 'grant', reason: 'matrix', idempotency_key: 'matrix-1' },
    adminOnly: true,
    ok: 201,
  },
  { method: 'GET', route: '/v1/accounts/:id/transactions', adminOnly: false, ok: 200 },
  { method: 'GET', route: '/v1/accounts/:id/transactions.csv', adminOnly: false, ok: 200 },
  { method: 'GET', route: '/v1/accounts/:id/usage?group_by=day,model', adminOnly: false, ok: 200 },
  { method: 'GET', route: '/v1/accounts/:id/alerts', adminOnly: false, ok: 200 },
  { method: 'GET', route: '/v1/accounts/:id/alert-deliveries', adminOnly: false, ok: 200 },
  { method: 'GET', route: '/v1/accounts/:id/alert-channels', adminOnly: false, ok: 200 },
  {
    method: 'PUT',
    route: '/v1/accounts/:id/alert-channels',
    body: { type: 'webhook', url: 'https://hooks.example.com/other' },
    adminOnly: false,
    ok: 200,
  },
  {
    method: 'GET',
    route: '/v1/accounts/:id/alert-channels/:other',
    adminOnly: false,
    ok: 200,
    prepare: newChannel,
  },
  {
    method: 'PUT',
    route: '/v1/accounts/:id/alert-channels/:other',
    body: { type: 'slack', url: 'https://hooks.slack.example.com/services/T0/B0/x' },
    adminOnly: false,
    ok: 200,
    prepare: newChannel,
  },
  {
    method: 'DELETE',
    route: '/v1/accounts/:id/alert-channels/:other',
    adminOnly: false,
    ok: 200,
    prepare: newChannel,
  },
  {
    method: 'POST',
    route: '/v1/accounts/:id/topups/checkout',
    body: { amount_paid: '30.00', dry_run: true },
    adminOnly: false,
    ok: 201,
  },
  { method: 'POST', route: '/v1/accounts/:id/topups/setup', body: {}, adminOnly: false, ok: 201 },
  { method: 'GET', route: '/v1/accounts/:id/topups', adminOnly: false, ok: 200 },
  { method: 'GET', route: '/v1/accounts/:id/auto-topup', adminOnly: false, ok: 200 },
  {
    method: 'PUT',
    route: '/v1/accounts/:id/auto-topup',
    body: { enabled: false },
    adminOnly: false,
    ok: 200,
  },
  { method: 'GET', route: '/v1/accounts/:id/payments', adminOnly: false, ok: 200 },
  {
    method: 'POST',
    route: '/v1/accounts/:id/coupons/redeem',
    body: { code: coupon.code },
    adminOnly: false,
    ok: 201,
    prepare: newCoupon,
  },
  {
    method: 'PUT',
    route: '/v1/accounts/:id/plan',
    body: { plan: 'free' },
    adminOnly: true,
    ok: 200,
  },
  { method: 'GET', route: '/v1/accounts/:id/monthly-cap', adminOnly: false, ok: 200 },
  {
    method: 'PUT',
    route: '/v1/accounts/:id/monthly-cap',
    body: { monthly_cap: '500.00' },
    adminOnly: true,
    ok: 200,
  },
  { method: 'DELETE', route: '/v1/accounts/:id/monthly-cap', adminOnly: true, ok: 200 },
  {
    method: 'POST',
    route: '/v1/coupons',
    body: { ...coupon, code: 'MATRIX-NEW' },
    adminOnly: true,
    ok: 201,
  },
  { method: 'GET', route: '/v1/plans', adminOnly: true, ok: 200 },
  { method: 'GET', route: '/v1/plans/free', adminOnly: true, ok: 200 },
  {
    method: 'PUT',
    route: '/v1/plans/matrix',
    body: { markup_percent_paid: '5' },
    adminOnly: true,
    ok: 200,
  },
  {
    method: 'PUT',
    route: '/v1/plans',
    body: { name: 'matrix_named', markup_percent_paid: '5' },
    adminOnly: true,
    ok: 200,
  },
  { method: 'GET', route: '/v1/analytics/summary', adminOnly: true, ok: 200 },
  { method: 'GET', route: '/v1/analytics/top-spenders?days=7&limit=5', adminOnly: true, ok: 200 },
  { method: 'GET', route: '/v1/analytics/distribution', adminOnly: true, ok: 200 },
  { method: 'GET', route: '/v1/dead-letters', adminOnly: true, ok: 200 },
];

describe('authorization: who may use which route', () => {
  // Top-up runs dry (no Stripe key): its commands answer without Stripe.
  const harness = new AdminHarness({}, ['ledger', 'alerting', 'topup']);
  let tenant: string;

  beforeAll(async () => {
    await harness.start();
    for (const account of [OWN, OTHER]) {
      const created = await harness.call('POST', '/v1/accounts', {
        body: { account_id: account, name: account },
      });
      expect(created.status).toBe(201);
    }
    tenant = (
      await harness.call<{ token: string }>('POST', '/v1/tokens', {
        body: { role: 'tenant', account_id: OWN, name: 'own tenant' },
      })
    ).body.token;
  });
  afterAll(() => harness.stop());

  const path = async (route: RouteCase, accountId: string) => {
    const other = route.prepare ? await route.prepare(harness, accountId) : '';
    return route.route.replace(':id', accountId).replace(':other', other);
  };

  it.each(ROUTES.map((route) => [`${route.method} ${route.route}`, route] as const))(
    '%s',
    async (_name, route) => {
      const call = async (token: string | null, accountId: string) =>
        harness.call(route.method, await path(route, accountId), { token, body: route.body });
      const scoped = route.route.startsWith('/v1/accounts/:id');

      const anonymous = await call(null, OWN);
      expect([anonymous.status, anonymous.body['error_code']]).toEqual([401, 'UNAUTHORIZED']);

      if (scoped) {
        const other = await call(tenant, OTHER);
        expect([other.status, other.body['error_code']]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
      }
      const own = await call(tenant, OWN);
      if (route.adminOnly) {
        expect([own.status, own.body['error_code']]).toEqual([403, 'FORBIDDEN']);
      } else {
        expect([own.status, own.text.slice(0, 200)]).toEqual([route.ok, expect.any(String)]);
      }
      const admin = await call(BOOTSTRAP_TOKEN, scoped ? OTHER : OWN);
      expect([admin.status, admin.text.slice(0, 300)]).toEqual([route.ok, expect.any(String)]);
    },
  );

  it('answers a tenant about an account that does not exist as about another tenant’s', async () => {
    const answer = await harness.call('GET', '/v1/accounts/acct_nobody/transactions', {
      token: tenant,
    });
    expect([answer.status, answer.body['error_code']]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    const asAdmin = await harness.call('GET', '/v1/accounts/acct_nobody/transactions');
    expect([asAdmin.status, asAdmin.body['error_code']]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
  });

  it('passes on a refusal of topup with its code and a 409', async () => {
    const refused = await harness.call('PUT', `/v1/accounts/${OWN}/auto-topup`, {
      body: { enabled: true },
    });
    expect([refused.status, refused.body['error_code']]).toEqual([
      409,
      'AUTO_TOPUP_NO_PAYMENT_METHOD',
    ]);
  });
});
