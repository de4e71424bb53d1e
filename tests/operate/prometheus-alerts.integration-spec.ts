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

  it('scrapes both services, evaluates the rules and starts with no alert', async () => {
    await eventually(async () => {
      expect(await prometheus.targetHealth()).toEqual({ metering: 'up', ledger: 'up' });
      // A recorded series from two scrapes of each service: the rules have been evaluated.
      const deadLettersRecorded = await prometheus.query('job:tally_dead_letters:increase10m');
      expect(
        deadLettersRecorded.map((sample) => [sample.metric['job'], sample.value[1]]).sort(),
      ).toEqual([
        ['ledger', '0'],
        ['metering', '0'],
      ]);
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
    const counted = await prometheus.query('tally_metering_dead_lettered_total');
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
