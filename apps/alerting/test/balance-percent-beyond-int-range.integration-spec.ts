import type { AlertFired } from '@tally/budget-domain';
import { eventually, queryDatabase } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { balanceChanged } from './alerting.fixtures';
import { AlertingHarness } from './alerting.harness';

describe('a balance whose available_percent is beyond a 32-bit integer', () => {
  // One partition: the record that cannot be applied would hold back every account behind it.
  const alerting = new AlertingHarness({ KAFKA_PARTITIONS: '1' });
  let alerts: TopicRecorder;

  beforeAll(async () => {
    await alerting.start();
    alerts = await alerting.kafka.record(alerting.topic('alerts.fired'));
  });
  afterAll(async () => {
    await alerting.stop();
  });

  it('is applied like any other (30,000,000 of credit on a 1.00 allowance), and the accounts after it still get their alerts', async () => {
    const rich = balanceChanged('acct_rich', 1, {
      used: '0.5',
      allowance: '1',
      credit: '30000000',
    });
    expect(rich.available_percent).toBe(3_000_000_050);
    await alerting.kafka.produceJson(alerting.topic('ledger.balance-changed'), 'acct_rich', [rich]);
    await alerting.kafka.produceJson(alerting.topic('ledger.balance-changed'), 'acct_next', [
      balanceChanged('acct_next', 1, { used: '60' }),
    ]);

    await eventually(() =>
      expect(
        alerts
          .json<AlertFired>()
          .map((alert) => `${alert.account_id} ${alert.state} ${alert.kind} ${alert.level}`),
      ).toEqual(['acct_next fired threshold YELLOW']),
    );
    const states = await queryDatabase<{ account_id: string; percent: string }>(
      alerting.isolation.databaseUrl,
      `SELECT account_id, percent::text AS percent FROM "${alerting.isolation.schema('alerting')}".balance_states ORDER BY account_id`,
    );
    expect(states).toEqual([
      { account_id: 'acct_next', percent: '60' },
      { account_id: 'acct_rich', percent: '-2999999950' },
    ]);
  });
});
