import type { DeadLetterRecord } from '@tally/budget-domain';
import type { ConsumedMessage } from './batch.consumer';
import { kafkaConfigFromEnv, topicName } from './kafka.config';
import { triage } from './triage';

const message = (offset: string, value: string | null): ConsumedMessage => ({
  topic: 'usage.events',
  partition: 2,
  offset,
  key: Buffer.from('acct_1'),
  value: value === null ? null : Buffer.from(value),
  timestamp: '0',
});

describe('triage of a consumed batch', () => {
  const at = new Date('2026-11-22T10:00:00Z');
  const decode = (value: Buffer | null) =>
    value && value.toString() !== 'bad'
      ? ({ ok: true, value: value.toString() } as const)
      : ({ ok: false, reason: 'invalid_json', error: 'not JSON' } as const);

  it('keys decoded records by their own id and dead-letters the rest by log position, with the original bytes', () => {
    const { accepted, rejected } = triage(
      [message('7', 'a'), message('8', 'bad'), message('9', null)],
      decode,
      (v) => `id:${v}`,
      {
        topic: 'usage.dead-letter',
        service: 'metering',
        at,
      },
    );
    expect(accepted).toEqual([{ messageId: 'id:a', value: 'a' }]);
    expect(rejected.map((r) => r.messageId)).toEqual(['usage.events/2/8@0', 'usage.events/2/9@0']);
    expect(rejected[0]!.deadLetter.topic).toBe('usage.dead-letter');
    expect(rejected[0]!.deadLetter.key).toBe('acct_1');
    expect(JSON.parse(rejected[0]!.deadLetter.value) as DeadLetterRecord).toEqual({
      schema_version: 1,
      source_topic: 'usage.events',
      partition: 2,
      offset: '8',
      key: 'acct_1',
      key_base64: null,
      value: Buffer.from('bad').toString('base64'),
      truncated: false,
      reason: 'invalid_json',
      error: 'not JSON',
      service: 'metering',
      at: '2026-11-22T10:00:00.000Z',
    });
    expect((JSON.parse(rejected[1]!.deadLetter.value) as DeadLetterRecord).value).toBeNull();
  });
});

describe('kafka configuration', () => {
  it('defaults to the local broker, 12 partitions and contract topic names', () => {
    const config = kafkaConfigFromEnv('tally-x', {});
    expect(config).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'tally-x',
      topicSuffix: '',
      partitions: 12,
      sessionTimeoutMs: 30_000,
      metadataMaxAgeMs: 30_000,
      lagSampleIntervalMs: 30_000,
      batchWaitMs: 500,
      inboxRetentionDays: 7,
    });
    expect(topicName(config, 'usage.events')).toBe('usage.events');
  });

  it('suffixes topics only for test isolation and validates partitions', () => {
    const config = kafkaConfigFromEnv('x', {
      KAFKA_BROKERS: 'a:1, b:2',
      KAFKA_TOPIC_SUFFIX: 't1',
      KAFKA_PARTITIONS: '3',
    });
    expect(config.brokers).toEqual(['a:1', 'b:2']);
    expect(topicName(config, 'usage.events')).toBe('usage.events.t1');
    expect(() => kafkaConfigFromEnv('x', { KAFKA_PARTITIONS: '0' })).toThrow(
      'KAFKA_PARTITIONS must be a positive integer',
    );
  });

  it('reads how long a consumer that fills batches may wait, 0 for not at all, refusing anything else', () => {
    expect(kafkaConfigFromEnv('x', { KAFKA_BATCH_WAIT_MS: '0' }).batchWaitMs).toBe(0);
    expect(kafkaConfigFromEnv('x', { KAFKA_BATCH_WAIT_MS: '2000' }).batchWaitMs).toBe(2000);
    for (const bad of ['-1', '1.5', 'soon', '10001'])
      expect(() => kafkaConfigFromEnv('x', { KAFKA_BATCH_WAIT_MS: bad })).toThrow(
        `KAFKA_BATCH_WAIT_MS must be an integer from 0 to 10000, got "${bad}"`,
      );
  });

  it("reads how often consumers read their topics' metadata, 30 s unless set, refusing anything else", () => {
    expect(kafkaConfigFromEnv('x', {}).metadataMaxAgeMs).toBe(30_000);
    expect(kafkaConfigFromEnv('x', { KAFKA_METADATA_MAX_AGE_MS: '5000' }).metadataMaxAgeMs).toBe(
      5_000,
    );
    for (const bad of ['999', '300001', '1.5', 'often'])
      expect(() => kafkaConfigFromEnv('x', { KAFKA_METADATA_MAX_AGE_MS: bad })).toThrow(
        `KAFKA_METADATA_MAX_AGE_MS must be an integer from 1000 to 300000, got "${bad}"`,
      );
  });

  it("reads how often a service reads its groups' lag from the broker, 30 s unless set, at least 1 s", () => {
    expect(kafkaConfigFromEnv('x', {}).lagSampleIntervalMs).toBe(30_000);
    expect(
      kafkaConfigFromEnv('x', { KAFKA_LAG_SAMPLE_INTERVAL_MS: '15000' }).lagSampleIntervalMs,
    ).toBe(15_000);
    for (const bad of ['999', '1.5', 'often'])
      expect(() => kafkaConfigFromEnv('x', { KAFKA_LAG_SAMPLE_INTERVAL_MS: bad })).toThrow(
        `KAFKA_LAG_SAMPLE_INTERVAL_MS must be an integer from 1000 to 2147483647 (ms), got "${bad}"`,
      );
  });

  it('reads how many days the outbox keeps, refusing what is not a whole number of days', () => {
    expect(kafkaConfigFromEnv('x', { OUTBOX_RETENTION_DAYS: '5' }).outboxRetentionDays).toBe(5);
    for (const bad of ['0', '1.5', 'two', '0x10', '1e1', ' 5'])
      expect(() => kafkaConfigFromEnv('x', { OUTBOX_RETENTION_DAYS: bad })).toThrow(
        `OUTBOX_RETENTION_DAYS must be an integer >= 1, got "${bad}"`,
      );
  });

  it('reads how many days an inbox that only covers redeliveries keeps its ids (7 by default)', () => {
    expect(kafkaConfigFromEnv('x', {}).inboxRetentionDays).toBe(7);
    expect(kafkaConfigFromEnv('x', { INBOX_RETENTION_DAYS: '30' }).inboxRetentionDays).toBe(30);
    // A century at most, as for OUTBOX_RETENTION_DAYS: 10^14 days before now is no date at all.
    for (const bad of ['0', '1.5', 'week', '36501', '99999999999999'])
      expect(() => kafkaConfigFromEnv('x', { INBOX_RETENTION_DAYS: bad })).toThrow(
        `INBOX_RETENTION_DAYS must be a positive integer up to 36500 (days), got "${bad}"`,
      );
  });
});
