import { AdminHarness } from './admin.harness';

describe('accounts and tokens', () => {
  const harness = new AdminHarness();
  let tenantToken: string;

  beforeAll(async () => {
    await harness.start();
  });
  afterAll(() => harness.stop());

  it('creates an account through the ledger and reads it back', async () => {
    const created = await harness.call('POST', '/v1/accounts', {
      body: { account_id: 'acct_a', name: 'A Corp' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      account_id: 'acct_a',
      name: 'A Corp',
      currency: 'USD',
      tier: 'free',
      status: 'active',
      balance: null,
      alert_level: null,
    });
    const read = await harness.call('GET', '/v1/accounts/acct_a');
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('mints a tenant token shown once, and the tenant sees its own account only', async () => {
    await harness.call('POST', '/v1/accounts', { body: { account_id: 'acct_b', name: 'B' } });
    const minted = await harness.call<{ token_id: string; token: string }>('POST', '/v1/tokens', {
      body: { role: 'tenant', account_id: 'acct_a', name: 'a tenant' },
    });
    expect(minted.status).toBe(201);
    expect(minted.body.token).toMatch(/^tat_/);
    tenantToken = minted.body.token;
    expect((await harness.call('GET', '/v1/accounts/acct_a', { token: tenantToken })).status).toBe(
      200,
    );
    const other = await harness.call('GET', '/v1/accounts/acct_b', { token: tenantToken });
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ error_code: 'ACCOUNT_NOT_FOUND', message: 'no account acct_b' });
    const list = await harness.call('GET', '/v1/accounts', { token: tenantToken });
    expect(list.status).toBe(403);
    expect(list.body['error_code']).toBe('FORBIDDEN');
  });

  it('answers 401 without a valid token', async () => {
    const none = await harness.call('GET', '/v1/accounts/acct_a', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="tally"');
    expect(none.body['error_code']).toBe('UNAUTHORIZED');
    const wrong = await harness.call('GET', '/v1/accounts/acct_a', { token: 'tat_nope' });
    expect(wrong.status).toBe(401);
  });

  it('lists accounts page by page', async () => {
    const first = await harness.call<{ items: Array<{ account_id: string }>; next_cursor: string }>(
      'GET',
      '/v1/accounts?limit=1',
    );
    expect(first.status).toBe(200);
    expect(first.body.items.map((a) => a.account_id)).toEqual(['acct_a']);
    const second = await harness.call<{ items: Array<{ account_id: string }>; next_cursor: null }>(
      'GET',
      `/v1/accounts?limit=1&cursor=${first.body.next_cursor}`,
    );
    expect(second.body.items.map((a) => a.account_id)).toEqual(['acct_b']);
    expect((await harness.call('GET', '/v1/accounts?limit=-1')).status).toBe(422);
  });

  it('revokes a token', async () => {
    const minted = await harness.call<{ token_id: string; token: string }>('POST', '/v1/tokens', {
      body: { role: 'admin', name: 'temp' },
    });
    expect((await harness.call('GET', '/v1/accounts', { token: minted.body.token })).status).toBe(
      200,
    );
    const revoked = await harness.call('DELETE', `/v1/tokens/${minted.body.token_id}`);
    expect(revoked.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await harness.call('GET', '/v1/accounts', { token: minted.body.token })).status).toBe(
      401,
    );
  });
});
