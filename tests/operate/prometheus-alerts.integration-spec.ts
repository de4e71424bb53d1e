import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { DeadLetterRecord } from '@tally/budget-domain';
import { ServiceHarness, eventually, usageEvent } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { PrometheusProcess } from './prometheus.process';

const RULES = path.resolve(__dirname, '../../infra/prometheus/rules');

/**
 * The alert rules of infra/prometheus, loaded by a real Prometheus that scrapes metering and
 * the ledger running as processes: a fault in the stack shows up as the matching alert in
 * Prometheus's own API. Scrapes and evaluations every second; the rules are the shipped ones.
 */
describe('Prometheus alerts on a running stack', () => {
  const platform = new ServiceHarness();
  const account = 'acct_operate';
  let prometheus: PrometheusProcess;
  let deadLetters: TopicRecorder;

  const alertsNamed = async (alertname: string) =>
    (await prometheus.alerts()).filter((alert) => alert.labels['alertname'] === alertname);

  beforeAll(async () => {
    await platform.start('metering', 'ledger');
    deadLetters = await platform.kafka.record(platform.topic('usage.dead-letter'));
    prometheus = await PrometheusProcess.start({
      targets: ['metering', 'ledger'].map((service) => ({
        job: service,
        address: `127.0.0.1:${platform.running(service)[0]!.port}`,
      })),
      ruleFiles: readdirSync(RULES)
        .filter((file) => file.endsWith('.yml'))
        .map((file) => path.join(RULES, file)),
      intervalSeconds: 1,
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await platform.stop();
  });

  it('scrapes both services, evaluates every rule without error and starts with no alert', async () => {
    const started = Date.now();
    await eventually(async () => {
      expect(await prometheus.targetHealth()).toEqual({ metering: 'up', ledger: 'up' });
      const up = await prometheus.query('up');
      expect(up.map((sample) => [sample.metric['job'], sample.value[1]]).sort()).toEqual([
        ['ledger', '1'],
        ['metering', '1'],
      ]);
      const evaluated = await prometheus.rules();
      expect(evaluated.length).toBeGreaterThan(30);
      for (const rule of evaluated) {
        expect({ rule: rule.name, health: rule.health }).toEqual({ rule: rule.name, health: 'ok' });
        // Evaluated since this test began, with both services scraped.
        expect(Date.parse(rule.lastEvaluation)).toBeGreaterThan(started);
      }
    }, 30_000);
    expect(await prometheus.alerts()).toEqual([]);
  });

  it('fires TallyDeadLettersArriving for metering when poison records reach usage.events', async () => {
    await platform.kafka.produce(platform.topic('usage.events'), [
      { key: account, value: '{"specversion":"1.0"' },
      {
        key: account,
        value: JSON.stringify(usageEvent({ subject: account, data: { input_tokens: -5 } })),
      },
      {
        key: account,
        value: JSON.stringify(usageEvent({ subject: account, data: { service: 'telepathy' } })),
      },
    ]);
    const records = await deadLetters.waitForCount<DeadLetterRecord>(3, 30_000);
    expect(records.map((record) => record.reason).sort()).toEqual([
      'invalid_json',
      'negative_quantity',
      'unknown_service',
    ]);

    const [alert] = await eventually(async () => {
      const active = await alertsNamed('TallyDeadLettersArriving');
      expect(active).toHaveLength(1);
      return active;
    }, 30_000);
    expect(alert!.labels).toEqual({
      alertname: 'TallyDeadLettersArriving',
      job: 'metering',
      severity: 'warning',
    });
    expect(['pending', 'firing']).toContain(alert!.state);
    expect(alert!.annotations['summary']).toMatch(
      /^metering dead-lettered [\d.]+ records in the last 10 minutes$/,
    );
    // The messaging library's outcome counter: metering registers no counter of its own.
    const counted = await prometheus.query(
      'sum(tally_consumer_messages_total{job="metering", outcome="dead_lettered"})',
    );
    expect(counted.map((sample) => sample.value[1])).toEqual(['3']);
  });

  it('raises TallyServiceDown and TallyServiceUnavailable (pending) when metering stops answering', async () => {
    await platform.running('metering')[0]!.kill();
    const active = await eventually(async () => {
      const down = [
        ...(await alertsNamed('TallyServiceDown')),
        ...(await alertsNamed('TallyServiceUnavailable')),
      ];
      expect(down).toHaveLength(2);
      return down;
    }, 30_000);
    expect(
      active.map((alert) => ({
        alertname: alert.labels['alertname'],
        job: alert.labels['job'],
        state: alert.state,
      })),
    ).toEqual([
      { alertname: 'TallyServiceDown', job: 'metering', state: 'pending' },
      { alertname: 'TallyServiceUnavailable', job: 'metering', state: 'pending' },
    ]);
    expect(await prometheus.targetHealth()).toEqual({ metering: 'down', ledger: 'up' });
  });
});
