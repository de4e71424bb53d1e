import { Client } from 'pg';
import {
  CommandClient,
  ServiceHarness,
  WebhookReceiver,
  eventually,
  queryDatabase,
} from '@tally/testing';
import { ALERTING_COMMAND_PATTERNS } from '../src/commands/commands.module';
import { balanceChanged } from './alerting.fixtures';
import { webhookChannel } from './alerting.harness';

/**
 * The README's at-least-once: a delivery is sent again only when an instance dies between
 * sending and recording, or an attempt is cut at its deadline. A SIGTERM is neither: a claim
 * that was under way when it arrived must be attempted and recorded before the database
 * closes, or its lease runs out and the receiver gets the alert a second time.
 */
describe('alerting stopped by SIGTERM records every delivery it sends', () => {
  const harness = new ServiceHarness(undefined, {
    ALERTING_RETRY_BASE_MS: '2000',
    ALERTING_DELIVERY_TIMEOUT_MS: '2000',
  });
  const receiver = new WebhookReceiver();
  const account = 'acct_sigterm';
  const path = `/${account}`;
  let commands: CommandClient;
  const schema = () => harness.isolation.schema('alerting');

  beforeAll(async () => {
    await receiver.start();
    await harness.start('alerting');
    commands = await new CommandClient(harness.isolation.kafkaBrokers, harness.isolation.suffix, [
      ...ALERTING_COMMAND_PATTERNS,
    ]).connect();
  });
  afterAll(async () => {
    await commands.close();
    await harness.stop();
    await receiver.stop();
  });

  it('a retry claimed while SIGTERM arrives is sent once and recorded delivered', async () => {
    await webhookChannel(commands, receiver, account, {
      path,
      behavior: { kind: 'fail', times: 1 },
      settings: { kinds: ['threshold'] },
    });
    await harness.kafka.produceJson(harness.topic('ledger.balance-changed'), account, [
      balanceChanged(account, 1, { used: '50' }),
    ]);
    // The first attempt fails; its retry is due about 2 s later.
    await eventually(() => expect(receiver.at(path)).toHaveLength(1), 30_000);

    // The retry's claim waits on a lock of the alerts table, then SIGTERM arrives.
    const blocker = new Client({ connectionString: harness.isolation.databaseUrl });
    await blocker.connect();
    const [alerting] = harness.running('alerting');
    let stopping: Promise<void>;
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${schema()}".alerts IN ACCESS EXCLUSIVE MODE`);
      await eventually(async () => {
        const [waiting] = await queryDatabase<{ count: number }>(
          harness.isolation.databaseUrl,
          `SELECT count(*)::int AS count FROM pg_stat_activity
           WHERE wait_event_type = 'Lock' AND query LIKE '%candidates AS MATERIALIZED%'`,
        );
        expect(waiting!.count).toBe(1);
      }, 20_000);
      stopping = alerting!.stop();
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      await blocker.query('COMMIT');
      await blocker.end();
    }
    await stopping;

    const [delivery] = await queryDatabase<{ status: string; attempts: number; leased: boolean }>(
      harness.isolation.databaseUrl,
      `SELECT status, attempts, lease_token IS NOT NULL AS leased FROM "${schema()}".deliveries WHERE account_id = $1`,
      [account],
    );
    const received = receiver.at(path).length;
    // Either the retry was sent and recorded, or it was not sent and is not leased.
    expect({ received, delivery }).toEqual(
      received === 2
        ? { received: 2, delivery: { status: 'delivered', attempts: 2, leased: false } }
        : { received: 1, delivery: { status: 'retrying', attempts: 1, leased: false } },
    );
  });
});
