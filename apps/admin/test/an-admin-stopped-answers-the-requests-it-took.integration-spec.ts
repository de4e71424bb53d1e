import { ServiceHarness, queryDatabase } from '@tally/testing';

const BOOTSTRAP_TOKEN = 'bootstrap-token-for-the-sigterm-test-0123456789';
const HEADERS = { authorization: `Bearer ${BOOTSTRAP_TOKEN}`, 'content-type': 'application/json' };

/**
 * A rolling update SIGTERMs admin while it waits for the ledger's reply to a credit grant. The
 * ledger applies the grant whatever admin does, so the caller must be told it was granted, and
 * a request that arrives once admin is stopping must be refused as unavailable, not failed.
 */
describe('an admin stopped by SIGTERM answers the requests it took', () => {
  const platform = new ServiceHarness(undefined, { ADMIN_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN });
  const grantsOf = async (account: string) =>
    (
      await queryDatabase<{ source_id: string }>(
        platform.isolation.databaseUrl,
        `SELECT source_id FROM "${platform.isolation.schema('ledger')}".transactions WHERE account_id = $1 AND kind = 'grant' ORDER BY source_id`,
        [account],
      )
    ).map((row) => row.source_id);

  beforeAll(() => platform.start('ledger', 'admin'), 120_000);
  afterAll(() => platform.stop());

  it('a grant the ledger applies while admin stops is answered 201; a later request is refused 503 or not connected', async () => {
    const [admin] = platform.running('admin');
    const [ledger] = platform.running('ledger');
    const url = (path: string) => `http://127.0.0.1:${admin!.port}${path}`;
    const grant = (key: string) =>
      fetch(url('/v1/accounts/acct_stop/credits'), {
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({
          amount: '2.50',
          kind: 'grant',
          reason: 'rollout',
          idempotency_key: key,
        }),
      });
    const created = await fetch(url('/v1/accounts'), {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({ account_id: 'acct_stop', name: 'Stopped mid-request' }),
    });
    expect(created.status).toBe(201);

    // The ledger is paused, so the grant's command waits in Kafka while admin is told to stop.
    process.kill(ledger!.pid!, 'SIGSTOP');
    let inFlight: Promise<Response>;
    let stopping: Promise<void>;
    try {
      inFlight = grant('in-flight');
      await new Promise((resolve) => setTimeout(resolve, 500));
      stopping = admin!.stop();
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      process.kill(ledger!.pid!, 'SIGCONT');
    }
    const late = await grant('after-sigterm').then(
      (response) => `${response.status}`,
      (error: unknown) => `not connected: ${String((error as Error).cause ?? error)}`,
    );

    const answered = await inFlight;
    expect({ status: answered.status, body: await answered.json() }).toMatchObject({
      status: 201,
      body: { kind: 'grant', amount: '2.500000' },
    });
    await stopping;
    expect(late).toMatch(/^(503|not connected: .*ECONNREFUSED.*)$/);
    expect(await grantsOf('acct_stop')).toEqual(['in-flight']);
  });
});
