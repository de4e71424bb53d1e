import { CommandClient, ServiceHarness, createApiKey, queryDatabase } from '@tally/testing';

/**
 * A rolling update SIGTERMs the ledger while gateways authorize: every hold it writes is
 * answered 201, and every other request is refused 503 or not taken at all (no 500, and no
 * connection cut after a hold was written).
 */
describe('a ledger stopped by SIGTERM under authorizations', () => {
  const account = 'acct_sigterm';
  const harness = new ServiceHarness();
  let commands: CommandClient;
  let secret: string;

  beforeAll(async () => {
    await harness.start('ledger');
    commands = await new CommandClient(harness.isolation.kafkaBrokers, harness.isolation.suffix, [
      'ledger.create-account',
      'ledger.create-api-key',
      'ledger.grant-credit',
    ]).connect();
    await commands.send('ledger.create-account', { account_id: account, name: 'Stopped' });
    secret = (await createApiKey(commands, account, 'gateway')).secret;
    await commands.send('ledger.grant-credit', {
      account_id: account,
      amount: '1000.00',
      kind: 'grant',
      reason: 'load',
      idempotency_key: 'sigterm-grant',
    });
  });
  afterAll(async () => {
    await commands.close();
    await harness.stop();
  });

  it('every hold written is answered, and the rest are refused 503 or not connected', async () => {
    const [ledger] = harness.running('ledger');
    const url = `http://127.0.0.1:${ledger!.port}/v1/authorizations`;
    const answers: string[] = [];
    const granted = new Set<string>();
    let stopped = false;
    const gateway = async () => {
      while (!stopped) {
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
            body: JSON.stringify({ estimated_cost: '0.01' }),
          });
          const body = (await response.json()) as { reservation_id?: string };
          answers.push(String(response.status));
          if (response.status === 201) granted.add(body.reservation_id!);
        } catch {
          answers.push('not connected');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const gateways = Array.from({ length: 8 }, gateway);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stopAt = Date.now();
    await ledger!.stop();
    const stopMs = Date.now() - stopAt;
    stopped = true;
    await Promise.all(gateways);

    const holds = await queryDatabase<{ reservation_id: string }>(
      harness.isolation.databaseUrl,
      `SELECT reservation_id FROM "${harness.isolation.schema('ledger')}".reservations`,
    );
    expect(new Set(holds.map((hold) => hold.reservation_id))).toEqual(granted);
    expect(granted.size).toBeGreaterThan(0);
    expect(new Set(answers)).toEqual(
      new Set(answers.filter((answer) => ['201', '503', 'not connected'].includes(answer))),
    );
    expect(stopMs).toBeLessThan(15_000);
  });
});
