import { logLevel, type LogEntry } from 'kafkajs';
import { metricsRegistry } from '@tally/platform';
import { kafkaLogCreator } from './kafka-log';

function entry(
  level: logLevel,
  namespace: string,
  message: string,
  extra: Record<string, unknown> = {},
): LogEntry {
  return {
    namespace,
    level,
    label: logLevel[level],
    log: { timestamp: '2026-12-02T10:20:15.505Z', logger: 'kafkajs', message, ...extra },
  };
}

describe('kafkajs log lines', () => {
  function logged() {
    const lines: string[] = [];
    const sink = {
      error: (m: string) => lines.push(`ERROR ${m}`),
      warn: (m: string) => lines.push(`WARN ${m}`),
      log: (m: string) => lines.push(`LOG ${m}`),
      debug: (m: string) => lines.push(`DEBUG ${m}`),
    };
    return { lines, log: kafkaLogCreator(sink)(logLevel.WARN) };
  }

  it('logs a retried broker response once below error level, then at debug', () => {
    const { lines, log } = logged();
    const coordinator = {
      clientId: 'tally-ledger',
      error: 'This is not the correct coordinator for this group',
    };
    log(
      entry(
        logLevel.ERROR,
        'Connection',
        'Response InitProducerId(key: 22, version: 1)',
        coordinator,
      ),
    );
    log(
      entry(
        logLevel.ERROR,
        'Connection',
        'Response InitProducerId(key: 22, version: 1)',
        coordinator,
      ),
    );
    log(
      entry(logLevel.ERROR, 'Producer', 'Failed to send messages: leader not available', {
        retryCount: 0,
      }),
    );

    expect(lines).toEqual([
      'LOG tally-ledger: [Connection] Response InitProducerId(key: 22, version: 1): This is not the correct coordinator for this group (retried; expected while the broker starts)',
      'DEBUG tally-ledger: [Connection] Response InitProducerId(key: 22, version: 1): This is not the correct coordinator for this group',
      'LOG kafkajs: [Producer] Failed to send messages: leader not available (retried; expected while the broker starts)',
    ]);
  });

  it('does not warn of bounded retries, which transactions make safe', () => {
    const { lines, log } = logged();
    log(
      entry(
        logLevel.WARN,
        'Producer',
        'Limiting retries for the idempotent producer may invalidate EoS guarantees',
      ),
    );
    expect(lines).toEqual([
      'DEBUG kafkajs: [Producer] Limiting retries for the idempotent producer may invalidate EoS guarantees',
    ]);
  });

  it('keeps the level of everything else, a failure that is not retried included', () => {
    const { lines, log } = logged();
    log(entry(logLevel.ERROR, 'Runner', 'The group is rebalancing', { clientId: 'tally-topup' }));
    log(entry(logLevel.ERROR, 'Producer', 'Invalid record', { retryCount: 3 }));
    log(entry(logLevel.WARN, 'Admin', 'Could not create topics', { error: 'timeout' }));

    expect(lines).toEqual([
      'ERROR tally-topup: [Runner] The group is rebalancing',
      'ERROR kafkajs: [Producer] Invalid record',
      'WARN kafkajs: [Admin] Could not create topics: timeout',
    ]);
  });

  it('names the group, topic and partition an offset reset is about, and counts it', async () => {
    const resets = async () =>
      (
        await metricsRegistry.getSingleMetric('tally_consumer_offset_resets_total')?.get()
      )?.values.find((value) => value.labels['group'] === 'alerting.usage.rated')?.value ?? 0;
    const before = await resets();
    const { lines, log } = logged();
    log(
      entry(logLevel.ERROR, 'ConsumerGroup', 'Offset out of range, resetting to default offset', {
        clientId: 'tally-alerting',
        topic: 'usage.rated',
        partition: 4,
        groupId: 'alerting.usage.rated',
        memberId: 'tally-alerting-1f2e',
      }),
    );
    expect(lines).toEqual([
      'ERROR tally-alerting: [ConsumerGroup] Offset out of range, resetting to default offset (group alerting.usage.rated, topic usage.rated, partition 4)',
    ]);
    expect(await resets()).toBe(before + 1);
  });
});
