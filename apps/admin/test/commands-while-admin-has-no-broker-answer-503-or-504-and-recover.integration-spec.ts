import { TcpProxy, eventually, isolate } from '@tally/testing';
import { AdminHarness, adminConfig } from './admin.harness';

const COMMAND_TIMEOUT_MS = 5_000;

/**
 * DESIGN 5 and 6 with admin's broker connections through a TCP proxy the test takes down (the
 * broker and the ledger keep running): a command answers 503 or 504 with a code within a
 * bounded time, reads from admin's own database still answer, `/health` says Kafka is down, and
 * once the broker is reachable again commands succeed without a restart.
 */
describe("admin's commands while it cannot reach the broker", () => {
  const isolation = isolate();
  let proxy: TcpProxy;
  let harness: AdminHarness;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    const [broker] = isolation.kafkaBrokers;
    const [host, port] = (broker ?? '127.0.0.1:9092').split(':');
    proxy = await TcpProxy.start({ host: host ?? '127.0.0.1', port: Number(port ?? 9092) });
    const { kafka } = adminConfig(isolation);
    harness = await new AdminHarness(
      {
        kafka: { ...kafka, socketFactory: proxy.kafkaSocketFactory() },
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
      },
      ['ledger'],
      undefined,
      {},
      isolation,
    ).start();
  }, 120_000);

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await proxy.restore();
    await harness.stop();
    await proxy.stop();
  });

  const create = (accountId: string) =>
    harness.call('POST', '/v1/accounts', { body: { account_id: accountId, name: accountId } });

  it('answers 503 BROKER_UNAVAILABLE or 504 UPSTREAM_TIMEOUT while the broker is unreachable, and creates again once it is back', async () => {
    expect((await create('acct_before')).status).toBe(201);

    await proxy.refuse();
    const started = Date.now();
    const refused = await create('acct_during');
    expect(Date.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS + 10_000);
    expect([
      [503, 'BROKER_UNAVAILABLE'],
      [504, 'UPSTREAM_TIMEOUT'],
    ]).toContainEqual([refused.status, (refused.body as { error_code?: string }).error_code]);
    expect((await harness.call('GET', '/v1/accounts/acct_before')).status).toBe(200);
    const health = await fetch(`${harness.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ error_code: 'SERVICE_UNAVAILABLE' });

    await proxy.restore();
    await eventually(
      async () => expect((await create('acct_after')).status).toBe(201),
      60_000,
      1_000,
    );
    expect((await fetch(`${harness.url}/health`)).status).toBe(200);
    // The read model's consumers are back too: the account the ledger created is projected.
    await eventually(
      async () => expect((await harness.call('GET', '/v1/accounts/acct_after')).status).toBe(200),
      60_000,
      500,
    );
    expect(unhandled).toEqual([]);
  }, 120_000);
});
