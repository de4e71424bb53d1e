import { TcpProxy, isolate } from '@tally/testing';
import { AdminHarness } from './admin.harness';

/**
 * DESIGN 5 and 6 with admin's database behind a TCP proxy the test takes down: its reads and
 * its token checks answer 503 with the error body (never a 401 for a valid token, never a
 * 500), `/health` says the database is down, and the next request once it is back succeeds.
 */
describe("admin's routes while its database is down", () => {
  const shared = isolate();
  let proxy: TcpProxy;
  let harness: AdminHarness;
  let minted: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    const proxied = await TcpProxy.toDatabase(shared.databaseUrl);
    proxy = proxied.proxy;
    harness = await new AdminHarness(
      {},
      [],
      undefined,
      {},
      {
        ...shared,
        databaseUrl: proxied.url,
      },
    ).start();
    const token = await harness.call<{ token: string }>('POST', '/v1/tokens', {
      body: { role: 'admin', name: 'operator' },
    });
    expect(token.status).toBe(201);
    minted = token.body.token;
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await proxy.restore();
    await harness.stop();
    await proxy.stop();
  });

  it('answers 503 DATABASE_UNAVAILABLE, then the same requests succeed once PostgreSQL is back', async () => {
    expect((await harness.call('GET', '/v1/accounts')).status).toBe(200);

    await proxy.refuse();
    for (const [route, token] of [
      ['/v1/accounts', undefined],
      ['/v1/accounts', minted],
      ['/v1/analytics/summary', undefined],
      ['/v1/accounts/acct_x/transactions', undefined],
    ] as const) {
      const started = Date.now();
      const answer = await harness.call('GET', route, { token });
      expect({ route, status: answer.status, body: answer.body }).toEqual({
        route,
        status: 503,
        body: { error_code: 'DATABASE_UNAVAILABLE', message: expect.any(String) },
      });
      expect(Date.now() - started).toBeLessThan(10_000);
    }
    const health = await fetch(`${harness.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ error_code: 'SERVICE_UNAVAILABLE' });

    await proxy.restore();
    expect((await harness.call('GET', '/v1/accounts')).status).toBe(200);
    expect((await harness.call('GET', '/v1/accounts', { token: minted })).status).toBe(200);
    expect((await fetch(`${harness.url}/health`)).status).toBe(200);
    expect(unhandled).toEqual([]);
  });
});
