import { AdminHarness } from './admin.harness';

const OWN = 'acct_tenancy_own';
const OTHER = 'acct_tenancy_other';
type Body = Record<string, unknown>;
interface Page<T = Body> {
  items: T[];
  next_cursor: string | null;
}

/**
 * A tenant token names its own account in the path and another account's objects after it:
 * a key, a channel, a reservation, a list position. None of them is found, and each stays as
 * it was. Secrets made on the way show up in no service's log.
 */
describe('a tenant reaches no other account’s objects through its own account', () => {
  const harness = new AdminHarness({}, ['ledger', 'alerting', 'topup']);
  const secrets: string[] = [];
  let tenant: string;
  let otherTenant: string;
  let ownKey: { api_key_id: string; secret: string };
  let otherKey: { api_key_id: string; secret: string };
  let otherChannel: string;

  const ledgerUrl = () => `http://127.0.0.1:${harness.process('ledger').port}`;
  const authorize = (secret: string, body: Body) =>
    fetch(`${ledgerUrl()}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const status = async (account: string) =>
    (await harness.call<Body>('GET', `/v1/accounts/${account}/budget-status`)).body;

  beforeAll(async () => {
    await harness.start();
    for (const account of [OWN, OTHER]) {
      await harness.call('POST', '/v1/accounts', { body: { account_id: account, name: account } });
      for (const n of [1, 2]) {
        const credit = await harness.call('POST', `/v1/accounts/${account}/credits`, {
          body: { amount: '5.00', kind: 'grant', reason: 'tenancy', idempotency_key: `t-${n}` },
        });
        expect(credit.status).toBe(201);
      }
    }
    const mint = async (account: string) =>
      (
        await harness.call<{ token: string }>('POST', '/v1/tokens', {
          body: { role: 'tenant', account_id: account, name: account },
        })
      ).body.token;
    tenant = await mint(OWN);
    otherTenant = await mint(OTHER);
    const key = async (account: string, token: string) =>
      (
        await harness.call<{ api_key_id: string; secret: string }>(
          'POST',
          `/v1/accounts/${account}/api-keys`,
          { token, body: { name: 'gateway' } },
        )
      ).body;
    ownKey = await key(OWN, tenant);
    otherKey = await key(OTHER, otherTenant);
    // Loopback, port 9 (discard): no alert fires for it in this spec, nothing connects.
    const channel = await harness.call<{ channel_id: string; signing_secret: string }>(
      'PUT',
      `/v1/accounts/${OTHER}/alert-channels`,
      { token: otherTenant, body: { type: 'webhook', url: 'http://127.0.0.1:9/other' } },
    );
    otherChannel = channel.body.channel_id;
    secrets.push(tenant, otherTenant, ownKey.secret, otherKey.secret, channel.body.signing_secret);
  });
  afterAll(() => harness.stop());

  it('finds no key or channel of another account, and changes neither', async () => {
    const asTenant = async (method: string, route: string, body?: unknown) => {
      const answer = await harness.call(method, `/v1/accounts/${OWN}${route}`, {
        token: tenant,
        body,
      });
      return [answer.status, answer.body['error_code']];
    };
    const key = otherKey.api_key_id;
    expect(await asTenant('DELETE', `/api-keys/${key}`)).toEqual([404, 'API_KEY_NOT_FOUND']);
    expect(
      await asTenant('PUT', `/api-keys/${key}/budget`, {
        period: 'monthly',
        limit: '0.01',
        hard_limit: true,
      }),
    ).toEqual([404, 'API_KEY_NOT_FOUND']);
    expect(await asTenant('GET', `/budget-status?api_key_id=${key}`)).toEqual([
      404,
      'API_KEY_NOT_FOUND',
    ]);
    expect(await asTenant('GET', `/alert-channels/${otherChannel}`)).toEqual([
      404,
      'CHANNEL_NOT_FOUND',
    ]);
    expect(await asTenant('DELETE', `/alert-channels/${otherChannel}`)).toEqual([
      404,
      'CHANNEL_NOT_FOUND',
    ]);

    // The other account's key still authorizes, unbudgeted; its channel is as it was.
    expect((await authorize(otherKey.secret, { estimated_cost: '1.00' })).status).toBe(201);
    const channels = await harness.call<Page>('GET', `/v1/accounts/${OTHER}/alert-channels`, {
      token: otherTenant,
    });
    expect(channels.body.items).toEqual([
      expect.objectContaining({ channel_id: otherChannel, url: 'http://127.0.0.1:9/other' }),
    ]);
  });

  it('cannot release another account’s reservation with its own key', async () => {
    const held = (await (await authorize(otherKey.secret, { estimated_cost: '2.00' })).json()) as {
      reservation_id: string;
    };
    const before = await status(OTHER);
    const release = await fetch(`${ledgerUrl()}/v1/authorizations/${held.reservation_id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ownKey.secret}` },
    });
    expect(release.status).toBe(404);
    expect((await release.json()) as Body).toMatchObject({ error_code: 'RESERVATION_NOT_FOUND' });
    expect((await status(OTHER))['available']).toBe(before['available']);
    // The same request id under another account's key is another reservation.
    const mine = (await (
      await authorize(ownKey.secret, { estimated_cost: '0.50', request_id: 'same-id' })
    ).json()) as Body;
    const theirs = (await (
      await authorize(otherKey.secret, { estimated_cost: '0.50', request_id: 'same-id' })
    ).json()) as Body;
    expect(mine['reservation_id']).not.toBe(theirs['reservation_id']);
  });

  it('pages its own transactions only, whatever account a cursor was taken from', async () => {
    const ids = async (account: string) =>
      (
        await harness.call<Page<{ transaction_id: string }>>(
          'GET',
          `/v1/accounts/${account}/transactions`,
        )
      ).body.items.map((item) => item.transaction_id);
    const own = await ids(OWN);
    const other = await ids(OTHER);
    expect([own.length, other.length]).toEqual([2, 2]);
    const otherCursor = (
      await harness.call<Page>('GET', `/v1/accounts/${OTHER}/transactions?limit=1`)
    ).body.next_cursor;
    expect(otherCursor).toEqual(expect.any(String));
    const paged = await harness.call<Page<{ transaction_id: string }>>(
      'GET',
      `/v1/accounts/${OWN}/transactions?cursor=${otherCursor}`,
      { token: tenant },
    );
    expect(paged.status).toBe(200);
    for (const item of paged.body.items) expect(own).toContain(item.transaction_id);
    const csv = await harness.call('GET', `/v1/accounts/${OWN}/transactions.csv`, {
      token: tenant,
    });
    for (const id of other) expect(csv.text).not.toContain(id);
  });

  it('writes no secret to any service’s log, nor to any list', async () => {
    for (const service of ['ledger', 'alerting', 'topup']) {
      const logs = harness.process(service).logs();
      for (const secret of secrets)
        expect([service, logs.includes(secret)]).toEqual([service, false]);
    }
    for (const route of ['api-keys', 'alert-channels']) {
      const listed = await harness.call('GET', `/v1/accounts/${OTHER}/${route}`);
      for (const secret of secrets) expect(listed.text).not.toContain(secret);
    }
    const tokens = await harness.call('GET', '/v1/tokens');
    for (const secret of secrets) expect(tokens.text).not.toContain(secret);
  });

  // Last: from here on two admin instances share the schema and the consumer groups.
  it('a revoked tenant token is refused on every admin instance within a second', async () => {
    const { token, token_id: tokenId } = (
      await harness.call<{ token: string; token_id: string }>('POST', '/v1/tokens', {
        body: { role: 'tenant', account_id: OWN, name: 'revoked soon' },
      })
    ).body;
    const second = harness.admin.urlOf(await harness.admin.startInstance());
    const read = (base: string) =>
      fetch(`${base}/v1/accounts/${OWN}`, { headers: { authorization: `Bearer ${token}` } });
    // Both instances have verified the token, and keep that answer for up to a second.
    for (const base of [harness.url, second]) expect((await read(base)).status).toBe(200);
    const revoked = await harness.call('DELETE', `/v1/tokens/${tokenId}`);
    expect(revoked.status).toBe(200);
    const revokedAt = Date.now();
    expect((await read(harness.url)).status).toBe(401);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, revokedAt + 1_000 - Date.now())),
    );
    expect((await read(second)).status).toBe(401);
  });
});
