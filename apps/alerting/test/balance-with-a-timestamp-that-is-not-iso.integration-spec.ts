import type { AlertFired, DeadLetterRecord } from '@tally/budget-domain';
import { eventually } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { balanceChanged } from './alerting.fixtures';
import { AlertingHarness } from './alerting.harness';

describe('a balance whose `at` is not an ISO-8601 timestamp', () => {
  // One partition: a record that cannot be applied would hold back every account behind it.
  const alerting = new AlertingHarness({ KAFKA_PARTITIONS: '1' });
  let alerts: TopicRecorder;

  beforeAll(async () => {
    await alerting.start();
    alerts = await alerting.kafka.record(alerting.topic('alerts.fired'));
  });
  afterAll(async () => {
    await alerting.stop();
  });

  it('is dead-lettered as a schema violation ("1" is a date to Date.parse, not to PostgreSQL), and the next account still gets its alert', async () => {
    const deadLetters = await alerting.kafka.record(alerting.topic('usage.dead-letter'));
    const topic = alerting.topic('ledger.balance-changed');
    await alerting.kafka.produceJson(topic, 'acct_odd_time', [
      { ...balanceChanged('acct_odd_time', 1, { used: '60' }), at: '1' },
    ]);
    await alerting.kafka.produceJson(topic, 'acct_next', [
      balanceChanged('acct_next', 1, { used: '60' }),
    ]);

    const [deadLetter] = await deadLetters.waitForCount<DeadLetterRecord>(1);
    expect(deadLetter).toMatchObject({
      source_topic: topic,
      key: 'acct_odd_time',
      reason: 'schema_violation',
      service: 'alerting',
    });
    expect(deadLetter!.error).toContain('at');
    await eventually(() =>
      expect(
        alerts
          .json<AlertFired>()
          .map((alert) => `${alert.account_id} ${alert.state} ${alert.kind} ${alert.level}`),
      ).toEqual(['acct_next fired threshold YELLOW']),
    );
  });
});
