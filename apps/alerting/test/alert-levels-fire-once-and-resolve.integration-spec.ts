import type { AlertFired } from '@tally/budget-domain';
import { WebhookReceiver, eventually, queryDatabase, scrapeMetrics } from '@tally/testing';
import type { CommandClient, TopicRecorder } from '@tally/testing';
import { DECEMBER, balanceChanged } from './alerting.fixtures';
import { AlertingHarness, webhookChannel } from './alerting.harness';

type Reply = Record<string, unknown>;

describe('alert levels fire once per level and period, and resolve', () => {
  const alerting = new AlertingHarness();
  const receiver = new WebhookReceiver();
  let commands: CommandClient;
  let alerts: TopicRecorder;

  const of = (account: string) =>
    alerts.json<AlertFired>().filter((alert) => alert.account_id === account);
  const summary = (list: AlertFired[]) =>
    list.map((alert) => `${alert.state} ${alert.kind} ${alert.level} ${alert.percent}`);
  const produceBalances = (account: string, records: unknown[]) =>
    alerting.kafka.produceJson(alerting.topic('ledger.balance-changed'), account, records);
  const staleCount = async () =>
    (await scrapeMetrics(alerting.url)).get('tally_alerting_stale_balances_total') ?? 0;
  /** A webhook channel for the account at the receiver, verified with the secret alerting generated. */
  const webhook = async (account: string, settings: Reply = {}) => {
    const reply = await webhookChannel(commands, receiver, account, { settings });
    expect(reply['signing_secret']).toEqual(expect.stringMatching(/^whsec_/));
    return reply;
  };

  beforeAll(async () => {
    await receiver.start();
    await alerting.start();
    commands = await alerting.commands();
    alerts = await alerting.kafka.record(alerting.topic('alerts.fired'));
  });
  afterAll(async () => {
    await alerting.stop();
    await receiver.stop();
  });

  it('crossing 50, 75, 90 and 100 % fires each level once; replaying the records fires nothing; the next period fires again', async () => {
    const account = 'acct_levels';
    const channel = await webhook(account, { kinds: ['threshold'] });
    expect(channel).toMatchObject({ type: 'webhook', kinds: ['threshold'], custom_thresholds: [] });
    const november = ['10', '49', '50', '60', '75', '89', '90', '99', '100'].map((used, i) =>
      balanceChanged(account, i + 1, { used }),
    );
    await produceBalances(account, november.slice(0, 4));
    await produceBalances(account, november.slice(4));

    await eventually(() =>
      expect(of(account).filter((a) => a.kind === 'threshold')).toHaveLength(4),
    );
    expect(summary(of(account).filter((a) => a.kind === 'threshold'))).toEqual([
      'fired threshold YELLOW 50',
      'fired threshold ORANGE 75',
      'fired threshold RED 90',
      'fired threshold CRITICAL 100',
    ]);
    // The ledger's own flags and the projection fire their kinds too (the channel does not want them).
    expect(
      of(account)
        .filter((a) => a.kind !== 'threshold')
        .map((a) => `${a.kind} ${a.level} ${a.percent} ${a.amount ?? '-'}`),
    ).toEqual([
      'soft_limit ORANGE 89 -',
      'hard_limit CRITICAL 100 -',
      'projected_overrun CRITICAL 100 100.139082058414',
    ]);
    const first = of(account)[0]!;
    expect(first).toEqual({
      schema_version: 1,
      id: expect.stringMatching(/^alrt_/),
      account_id: account,
      api_key_id: null,
      kind: 'threshold',
      state: 'fired',
      level: 'YELLOW',
      percent: 50,
      period_start: '2026-11-01T00:00:00.000Z',
      message: "acct_levels: 50% of the period's funds spent (level YELLOW)",
      at: expect.any(String),
    });

    await eventually(() => expect(receiver.at(`/${account}`)).toHaveLength(4));
    const received = receiver.at(`/${account}`);
    expect(received.map((request) => request.signatureValid)).toEqual([true, true, true, true]);
    expect(new Set(received.map((request) => request.deliveryId)).size).toBe(4);
    expect(received.map((request) => request.body['level']).sort()).toEqual([
      'CRITICAL',
      'ORANGE',
      'RED',
      'YELLOW',
    ]);
    const published = of(account).filter((a) => a.kind === 'threshold');
    for (const request of received) {
      const alert = published.find((a) => a.id === request.body['id'])!;
      expect(request.rawBody).toBe(JSON.stringify(alert));
    }

    // The same records again (a replay of the topic): every one is stale.
    const before = await staleCount();
    await produceBalances(account, november);
    await eventually(async () => expect(await staleCount()).toBe(before + 9));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(of(account)).toHaveLength(7);
    expect(receiver.at(`/${account}`)).toHaveLength(4);

    // December: the old period's alerts resolve, and its levels fire again.
    await produceBalances(account, [
      balanceChanged(account, 10, { used: '20', period: DECEMBER }),
      balanceChanged(account, 11, { used: '55', period: DECEMBER }),
    ]);
    await eventually(() => expect(of(account)).toHaveLength(7 + 7 + 1));
    const december = of(account).slice(7);
    expect(summary(december)).toEqual([
      'resolved threshold YELLOW 50',
      'resolved threshold ORANGE 75',
      'resolved soft_limit ORANGE 89',
      'resolved threshold RED 90',
      'resolved threshold CRITICAL 100',
      'resolved hard_limit CRITICAL 100',
      'resolved projected_overrun CRITICAL 100',
      'fired threshold YELLOW 55',
    ]);
    for (const resolved of december.slice(0, 7)) {
      const fired = of(account).find((a) => a.id === resolved.resolves)!;
      expect(resolved).toEqual({
        ...fired,
        id: expect.stringMatching(/^alrt_/),
        state: 'resolved',
        resolves: fired.id,
        message: `Resolved: ${fired.message}`,
        at: expect.any(String),
      });
      expect(resolved.id).not.toBe(fired.id);
    }
    expect(december[7]).toMatchObject({ period_start: '2026-12-01T00:00:00.000Z' });
    // The receiver wants thresholds: 4 resolutions and the new YELLOW.
    await eventually(() => expect(receiver.at(`/${account}`)).toHaveLength(9));
  });

  it('buying credit resolves the levels it brings spend back under, each with resolves = the fired id', async () => {
    const account = 'acct_credit';
    await webhook(account);
    await produceBalances(account, [
      balanceChanged(account, 1, { used: '60' }),
      balanceChanged(account, 2, { used: '95' }),
    ]);
    await eventually(() =>
      expect(summary(of(account).filter((a) => a.kind === 'threshold'))).toEqual([
        'fired threshold YELLOW 60',
        'fired threshold RED 95',
      ]),
    );
    // 40 of credit: funds 5 + 40 = 45 % of the allowance, spend 55 %: RED (and the quiet ORANGE) clear, YELLOW holds.
    await produceBalances(account, [balanceChanged(account, 3, { used: '95', credit: '40' })]);
    await eventually(() =>
      expect(of(account).filter((a) => a.state === 'resolved')).toHaveLength(1),
    );
    const red = of(account).find((a) => a.level === 'RED' && a.state === 'fired')!;
    expect(of(account).filter((a) => a.state === 'resolved')).toEqual([
      expect.objectContaining({ kind: 'threshold', level: 'RED', resolves: red.id }),
    ]);
    // Spending on through 75 % again fires ORANGE: the resolution re-armed the level.
    await produceBalances(account, [balanceChanged(account, 4, { used: '120', credit: '20' })]);
    await eventually(() =>
      expect(summary(of(account).filter((a) => a.kind === 'threshold')).at(-1)).toBe(
        'fired threshold ORANGE 80',
      ),
    );
    await eventually(() =>
      expect(
        receiver
          .at(`/${account}`)
          .map((r) => `${r.body['state']} ${r.body['kind']} ${r.body['level']}`),
      ).toEqual(expect.arrayContaining(['resolved threshold RED', 'fired threshold ORANGE'])),
    );
    expect(receiver.at(`/${account}`).every((request) => request.signatureValid)).toBe(true);
  });

  it('an absolute threshold of 25.00 spent fires once, to the channel that set it', async () => {
    const account = 'acct_amount';
    const reply = await webhook(account, {
      kinds: ['custom_threshold'],
      custom_thresholds: [{ amount: '25.00' }],
    });
    expect(reply['custom_thresholds']).toEqual([{ amount: '25.000000' }]);
    const other = await commands.send<Reply>('alerting.set-channel', {
      account_id: account,
      type: 'slack',
      url: receiver.endpoint('/acct_amount-slack'),
      kinds: ['custom_threshold'],
    });
    expect(other['signing_secret']).toBeUndefined();
    // A budget of 1,000, so the levels stay quiet while the spend passes 25.
    const records = ['10', '24.99', '25', '30', '40'].map((used, i) =>
      balanceChanged(account, i + 1, { used, allowance: '1000' }),
    );
    await produceBalances(account, records);
    await produceBalances(account, records);
    await eventually(() => expect(receiver.at(`/${account}`)).toHaveLength(1));
    await eventually(() => expect(of(account)).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(of(account).map((a) => `${a.state} ${a.kind} ${a.amount} ${a.message}`)).toEqual([
      'fired custom_threshold 25.000000 acct_amount: spend threshold of 25.00 USD reached, 25.00 USD spent this period',
    ]);
    expect(receiver.at(`/${account}`)).toHaveLength(1);
    expect(receiver.at(`/${account}`)[0]).toMatchObject({ signatureValid: true });
    // The Slack channel set no threshold of its own: it gets nothing.
    expect(receiver.at('/acct_amount-slack')).toEqual([]);
  });

  it('a record whose sequence is not above the last applied one is ignored', async () => {
    const account = 'acct_stale';
    await produceBalances(account, [
      balanceChanged(account, 5, { used: '60' }),
      balanceChanged(account, 3, { used: '95' }),
      balanceChanged(account, 5, { used: '99' }),
    ]);
    await eventually(() => expect(of(account)).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(summary(of(account))).toEqual(['fired threshold YELLOW 60']);
    const [state] = await queryDatabase<{ sequence: string; percent: number }>(
      alerting.isolation.databaseUrl,
      `SELECT sequence::text, percent::float8 AS percent FROM "${alerting.isolation.schema('alerting')}".balance_states WHERE account_id = $1`,
      [account],
    );
    expect(state).toEqual({ sequence: '5', percent: 60 });
  });

  it('history lists what fired and what became of each delivery, newest first, page by page', async () => {
    const page = await eventually(async () => {
      const first = await commands.send<{ items: Reply[]; next_cursor: string | null }>(
        'alerting.history',
        { account_id: 'acct_levels', limit: 4 },
      );
      expect(first.items[0]?.['status']).toBe('delivered');
      return first;
    });
    expect(page.items).toHaveLength(4);
    expect(page.items[0]).toEqual({
      alert_id: of('acct_levels').at(-1)!.id,
      kind: 'threshold',
      state: 'fired',
      at: expect.any(String),
      channel_id: expect.stringMatching(/^ch_/),
      channel_type: 'webhook',
      delivery_id: expect.stringMatching(/^dlv_/),
      status: 'delivered',
      attempts: 1,
      last_error: null,
      delivered_at: expect.any(String),
    });
    let cursor = page.next_cursor;
    const all = [...page.items];
    while (cursor) {
      const next = await commands.send<{ items: Reply[]; next_cursor: string | null }>(
        'alerting.history',
        { account_id: 'acct_levels', limit: 4, cursor },
      );
      all.push(...next.items);
      cursor = next.next_cursor;
    }
    // 15 alerts: 9 went to the threshold channel; the 6 no channel took have no delivery to
    // list (they are on alerts.fired), as an item is a delivery with DESIGN 2's statuses.
    expect(all).toHaveLength(9);
    expect(new Set(all.map((item) => item.alert_id)).size).toBe(9);
    expect(all.filter((item) => item['status'] === 'delivered')).toHaveLength(9);
    expect(
      await commands.send('alerting.history', { account_id: 'acct_levels', cursor: 'nope' }),
    ).toEqual({ error_code: 'INVALID_CURSOR', message: 'cursor is not one this command returned' });
  });

  it('counts the alerts it published by kind and state', async () => {
    const metrics = await scrapeMetrics(alerting.url);
    expect(metrics.get('tally_alerting_alerts_total{kind="threshold",state="fired"}')).toBe(
      4 + 1 + 2 + 1 + 1,
    );
    expect(metrics.get('tally_alerting_alerts_total{kind="threshold",state="resolved"}')).toBe(
      4 + 1,
    );
    expect(
      metrics.get('tally_alerting_deliveries_total{channel_type="webhook",status="delivered"}'),
    ).toBeGreaterThanOrEqual(9);
  });
});
