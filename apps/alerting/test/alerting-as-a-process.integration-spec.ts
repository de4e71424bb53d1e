import type { AlertFired } from '@tally/budget-domain';
import {
  CommandClient,
  ServiceHarness,
  WebhookReceiver,
  eventually,
  queryDatabase,
  usageRated,
} from '@tally/testing';
import type { Behavior, TopicRecorder } from '@tally/testing';
import { ALERTING_COMMAND_PATTERNS } from '../src/commands/commands.module';
import { balanceChanged } from './alerting.fixtures';
import { webhookChannel } from './alerting.harness';

const ACCOUNTS = 40;
const LEVELS = ['YELLOW', 'ORANGE', 'RED', 'CRITICAL'] as const;
const CONCURRENCY = 16;

describe('alerting as a process, with the real ledger and under SIGKILL', () => {
  const harness = new ServiceHarness(undefined, {
    ALERTING_RETRY_BASE_MS: '200',
    ALERTING_DELIVERY_TIMEOUT_MS: '2000',
    ALERTING_DELIVERY_CONCURRENCY: String(CONCURRENCY),
  });
  const receiver = new WebhookReceiver();
  let commands: CommandClient;
  let alerts: TopicRecorder;
  const of = (account: string) =>
    alerts.json<AlertFired>().filter((alert) => alert.account_id === account);
  const webhook = (account: string, behavior: Behavior = { kind: 'ok' }) =>
    webhookChannel(commands, receiver, account, { behavior, settings: { kinds: ['threshold'] } });

  beforeAll(async () => {
    await receiver.start();
    await harness.start('ledger', 'alerting');
    commands = await new CommandClient(harness.isolation.kafkaBrokers, harness.isolation.suffix, [
      ...ALERTING_COMMAND_PATTERNS,
      'ledger.create-account',
      'ledger.set-budget',
      'ledger.grant-credit',
    ]).connect();
    alerts = await harness.kafka.record(harness.topic('alerts.fired'));
  });
  afterAll(async () => {
    await commands.close();
    await harness.stop();
    await receiver.stop();
  });

  it('the ledger’s balance changes fire each level once, and a credit grant resolves them', async () => {
    const account = 'acct_ledger';
    expect(
      await commands.send('ledger.create-account', { account_id: account, name: 'Ledger-fed' }),
    ).toMatchObject({ account_id: account });
    expect(
      await commands.send('ledger.set-budget', {
        account_id: account,
        period: 'monthly',
        limit: '10.00',
        hard_limit: true,
      }),
    ).not.toHaveProperty('error_code');
    await webhook(account);
    const thresholds = () => of(account).filter((alert) => alert.kind === 'threshold');
    // 5.00, then 2.50, 1.50 and 1.00: 50, 75, 90 and 100 % of the 10.00 allowance.
    for (const [index, cost] of ['5.00', '2.50', '1.50', '1.00'].entries()) {
      await harness.kafka.produceJson(harness.topic('usage.rated'), account, [
        usageRated(account, cost),
      ]);
      await eventually(() => expect(thresholds()).toHaveLength(index + 1), 60_000);
    }
    expect(thresholds().map((alert) => `${alert.state} ${alert.level} ${alert.percent}`)).toEqual([
      'fired YELLOW 50',
      'fired ORANGE 75',
      'fired RED 90',
      'fired CRITICAL 100',
    ]);
    expect(of(account).every((alert) => alert.period_start?.startsWith('2026-') ?? false)).toBe(
      true,
    );
    expect(of(account).filter((alert) => alert.kind === 'hard_limit')).toHaveLength(1);
    expect(of(account).filter((alert) => alert.kind === 'soft_limit')).toHaveLength(1);

    expect(
      await commands.send('ledger.grant-credit', {
        account_id: account,
        amount: '10.00',
        kind: 'grant',
        reason: 'alerting test',
        idempotency_key: 'grant-acct-ledger-1',
      }),
    ).not.toHaveProperty('error_code');
    await eventually(() =>
      expect(thresholds().filter((alert) => alert.state === 'resolved')).toHaveLength(4),
    );
    for (const resolved of thresholds().filter((alert) => alert.state === 'resolved')) {
      expect(thresholds().find((alert) => alert.id === resolved.resolves)).toMatchObject({
        state: 'fired',
        level: resolved.level,
      });
    }
    expect(
      of(account).filter((alert) => alert.kind === 'hard_limit' && alert.state === 'resolved'),
    ).toHaveLength(1);
    // DESIGN 2: alerts.fired is keyed by the account id, as every topic is.
    const mine = alerts.messages.filter((m) => m.value?.includes(`"account_id":"${account}"`));
    expect(mine.map((m) => m.key)).toEqual(of(account).map(() => account));
    await eventually(() => expect(receiver.at(`/${account}`)).toHaveLength(8));
    expect(receiver.at(`/${account}`).every((request) => request.signatureValid)).toBe(true);
  });

  it('SIGKILL mid-stream: no alert lost, none fired twice, each delivery sent under one delivery id', async () => {
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `acct_kill_${i}`);
    for (const account of accounts) await webhook(account, { kind: 'slow', ms: 30 });
    const records = LEVELS.flatMap((_, step) =>
      accounts.map((account) =>
        balanceChanged(account, step + 1, { used: ['50', '75', '90', '100'][step]! }),
      ),
    );
    const received = () =>
      receiver.requests.filter((request) => request.path.startsWith('/acct_kill_'));
    const producing = (async () => {
      for (let start = 0; start < records.length; start += 20) {
        const chunk = records.slice(start, start + 20);
        await harness.kafka.produce(
          harness.topic('ledger.balance-changed'),
          chunk.map((record) => ({ key: record.account_id, value: JSON.stringify(record) })),
        );
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    await eventually(() => expect(received().length).toBeGreaterThanOrEqual(30), 60_000, 20);
    await harness.running('alerting')[0]!.kill();
    const atKill = received().length;
    expect(atKill).toBeLessThan(ACCOUNTS * LEVELS.length);
    await producing;
    await harness.startService('alerting');

    const expected = ACCOUNTS * LEVELS.length;
    await eventually(
      () => expect(new Set(received().map((request) => request.deliveryId)).size).toBe(expected),
      120_000,
      250,
    );
    // Published: every level of every account fired exactly once.
    const killed = () =>
      alerts
        .json<AlertFired>()
        .filter((alert) => alert.account_id.startsWith('acct_kill_') && alert.kind === 'threshold');
    await eventually(() => expect(killed()).toHaveLength(expected));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const fired = killed();
    expect(fired).toHaveLength(expected);
    expect(new Set(fired.map((alert) => `${alert.account_id} ${alert.level}`)).size).toBe(expected);
    expect(new Set(fired.map((alert) => alert.id)).size).toBe(expected);

    // Delivered: each alert under exactly one delivery id; a repeat (an attempt in flight at
    // the kill, sent again once its lease ran out) carries the same id and the same bytes.
    const byDelivery = new Map<string, Set<string>>();
    for (const request of received()) {
      expect(request.signatureValid).toBe(true);
      byDelivery.set(
        request.deliveryId!,
        (byDelivery.get(request.deliveryId!) ?? new Set()).add(request.rawBody),
      );
    }
    expect([...byDelivery.values()].every((bodies) => bodies.size === 1)).toBe(true);
    const deliveredAlerts = [...byDelivery.values()].map(
      (bodies) => (JSON.parse([...bodies][0]!) as AlertFired).id,
    );
    expect(new Set(deliveredAlerts)).toEqual(new Set(fired.map((alert) => alert.id)));
    const repeats = received().length - byDelivery.size;
    expect(repeats).toBeLessThanOrEqual(CONCURRENCY);

    const [open] = await queryDatabase<{ open: number }>(
      harness.isolation.databaseUrl,
      `SELECT count(*)::int AS open FROM "${harness.isolation.schema('alerting')}".deliveries
       WHERE account_id LIKE 'acct_kill_%' AND status <> 'delivered'`,
    );
    expect(open).toEqual({ open: 0 });
    console.log(
      `SIGKILL run: ${atKill} of ${expected} deliveries received before the kill, ${repeats} sent again after it under the same delivery id`,
    );
  });
});
