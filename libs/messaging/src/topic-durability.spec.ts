import { kafkaConfigFromEnv } from './kafka.config';
import { newTopics } from './topic.bootstrap';

// ADR 0196: on a cluster of three brokers a topic needs three replicas and min.insync.replicas 2,
// or the acks=all of the relay and the usage producer waits for one broker only.
describe('the topics a service creates are as durable as configured', () => {
  it('reads KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS', () => {
    const config = kafkaConfigFromEnv('x', {
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
    });
    expect(config.replicationFactor).toBe(3);
    expect(config.minInsyncReplicas).toBe(2);
  });

  it('creates topics with that many replicas and min.insync.replicas, beside their own settings', () => {
    expect(
      newTopics(['usage.dead-letter', 'usage.rated'], 12, {
        configs: { 'usage.dead-letter': { 'max.message.bytes': '1048576' } },
        durability: { replicationFactor: 3, minInsyncReplicas: 2 },
      }),
    ).toEqual([
      {
        topic: 'usage.dead-letter',
        numPartitions: 12,
        replicationFactor: 3,
        configEntries: [
          { name: 'max.message.bytes', value: '1048576' },
          { name: 'min.insync.replicas', value: '2' },
        ],
      },
      {
        topic: 'usage.rated',
        numPartitions: 12,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      },
    ]);
  });

  it("leaves both to the broker's defaults when unset (one local broker)", () => {
    const config = kafkaConfigFromEnv('x', {
      KAFKA_REPLICATION_FACTOR: '',
      KAFKA_MIN_INSYNC_REPLICAS: '',
    });
    expect(config.replicationFactor).toBeUndefined();
    expect(config.minInsyncReplicas).toBeUndefined();
    expect(newTopics(['usage.rated'], 12, { durability: config })).toEqual([
      { topic: 'usage.rated', numPartitions: 12, replicationFactor: -1, configEntries: [] },
    ]);
  });

  it('refuses a min.insync.replicas above the replicas, which no acks=all write could meet', () => {
    expect(() =>
      kafkaConfigFromEnv('x', { KAFKA_REPLICATION_FACTOR: '2', KAFKA_MIN_INSYNC_REPLICAS: '3' }),
    ).toThrow(
      'KAFKA_MIN_INSYNC_REPLICAS (3) must not exceed KAFKA_REPLICATION_FACTOR (2): every acks=all write would be refused',
    );
    expect(() => kafkaConfigFromEnv('x', { KAFKA_REPLICATION_FACTOR: '0' })).toThrow(
      'KAFKA_REPLICATION_FACTOR must be a positive integer up to 32767, got "0"',
    );
  });
});
