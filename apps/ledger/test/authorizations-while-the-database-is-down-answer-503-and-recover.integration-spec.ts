import { Client } from 'pg';
import { TcpProxy, isolate } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { CreditsService } from '../src/credits/credits.service';
import { LedgerHarness } from './ledger.harness';

/**
 * DESIGN 5 and 6: every error uses the error body and nothing crashes. The ledger reaches
 * PostgreSQL through a proxy the test takes down; the shared server keeps running.
 */
const STATEMENT_TIMEOUT_MS = 3_000;

describe('authorizations while the database is down', () => {
  const shared = isolate();
  let proxy: TcpProxy;
  let ledger: LedgerHarness;
  let secret: string;
  const account = 'acct_db_down';
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    const proxied = await TcpProxy.toDatabase(shared.databaseUrl);
    proxy = proxied.proxy;
    ledger = await new LedgerHarness({ ...shared, databaseUrl: proxied.url }, undefined, {
      database: {
        url: proxied.url,
        schema: shared.schema('ledger'),
        poolSize: 10,
        statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      },
    }).start();
    await ledger.get(AccountsService).createAccount({ accountId: account, name: 'Down' });
    await ledger.get(CreditsService).grant({
      accountId: account,
      amount: '100',
      kind: 'grant',
      reason: 'trial',
      idempotencyKey: `trial-${account}`,
    });
    ({ secret } = await ledger.createApiKey(account, 'down'));
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await proxy.restore();
    await ledger.stop();
    await proxy.stop();
  });

  /** The status, body and how long the answer took. */
  const timed = async (request: () => Promise<Response>) => {
    const started = Date.now();
    const response = await request();
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json().catch(() => undefined)) as unknown,
      ms: Date.now() - started,
    };
  };

  it('answers 503 DATABASE_UNAVAILABLE while PostgreSQL refuses, and holds again once it is back', async () => {
    const held = await ledger.authorize(secret, { estimated_cost: '1.00' });
    expect(held.status).toBe(201);
    const { reservation_id: reservationId } = (await held.json()) as { reservation_id: string };

    await proxy.refuse();
    const authorize = await timed(() =>
      ledger.authorize(secret, { estimated_cost: '1.00', request_id: 'while-down' }),
    );
    expect(authorize).toMatchObject({
      status: 503,
      retryAfter: '1',
      body: { error_code: 'DATABASE_UNAVAILABLE', message: expect.any(String) },
    });
    expect(authorize.ms).toBeLessThan(10_000);
    const release = await timed(() => ledger.release(secret, reservationId));
    expect(release).toMatchObject({ status: 503, body: { error_code: 'DATABASE_UNAVAILABLE' } });
    const health = await timed(() => fetch(`${ledger.url}/health`));
    expect(health).toMatchObject({ status: 503, body: { error_code: 'SERVICE_UNAVAILABLE' } });
    expect(health.ms).toBeLessThan(10_000);

    await proxy.restore();
    const again = await ledger.authorize(secret, {
      estimated_cost: '1.00',
      request_id: 'while-down',
    });
    expect(again.status).toBe(201);
    expect((await ledger.release(secret, reservationId)).status).toBe(204);
    expect((await fetch(`${ledger.url}/health`)).status).toBe(200);
    expect(unhandled).toEqual([]);
  });

  it('answers 503 within a bounded time while PostgreSQL takes connections and never answers', async () => {
    await proxy.stall();
    // The pool's connections are cut: the next statements must open new ones, never answered.
    const health = await timed(() => fetch(`${ledger.url}/health`));
    expect(health).toMatchObject({ status: 503, body: { error_code: 'SERVICE_UNAVAILABLE' } });
    expect(health.ms).toBeLessThan(10_000);
    const authorize = await timed(() =>
      ledger.authorize(secret, { estimated_cost: '1.00', request_id: 'while-stalled' }),
    );
    expect(authorize).toMatchObject({ status: 503, body: { error_code: 'DATABASE_UNAVAILABLE' } });
    expect(authorize.ms).toBeLessThan(15_000);

    await proxy.restore();
    const again = await ledger.authorize(secret, {
      estimated_cost: '1.00',
      request_id: 'while-stalled',
    });
    expect(again.status).toBe(201);
    expect(unhandled).toEqual([]);
  }, 60_000);

  it('answers 503 once a statement waits past its timeout on a lock another session holds', async () => {
    const session = new Client({ connectionString: shared.databaseUrl });
    await session.connect();
    try {
      await session.query('BEGIN');
      await session.query(
        `LOCK TABLE "${shared.schema('ledger')}".reservations IN ACCESS EXCLUSIVE MODE`,
      );
      const authorize = await timed(() =>
        ledger.authorize(secret, { estimated_cost: '1.00', request_id: 'while-locked' }),
      );
      expect(authorize).toMatchObject({
        status: 503,
        body: { error_code: 'DATABASE_UNAVAILABLE' },
      });
      expect(authorize.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + 5_000);
    } finally {
      await session.query('ROLLBACK');
      await session.end();
    }
    const again = await ledger.authorize(secret, {
      estimated_cost: '1.00',
      request_id: 'while-locked',
    });
    expect(again.status).toBe(201);
    expect(unhandled).toEqual([]);
  }, 60_000);

  it('replies DATABASE_UNAVAILABLE to a command while PostgreSQL refuses, which admin answers 503', async () => {
    const commands = await ledger.commands();
    await proxy.refuse();
    expect(await commands.send('ledger.budget-status', { account_id: account })).toEqual({
      error_code: 'DATABASE_UNAVAILABLE',
      message: expect.any(String),
    });
    await proxy.restore();
    expect(await commands.send('ledger.budget-status', { account_id: account })).toMatchObject({
      account_id: account,
    });
    expect(unhandled).toEqual([]);
  });
});
