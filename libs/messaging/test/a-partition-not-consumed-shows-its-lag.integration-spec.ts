import { Kafka, logLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { Topics } from '@tally/budget-domain';
import { metricsRegistry } from '@tally/platform';
import { KafkaTestClient, dropSchemas, eventually, isolate } from '@tally/testing';
import { ConsumerGroupLag, ensureTopics } from '../src';
import type { ConsumedMessage, PartitionLag } from '../src';
import { sleep, startInstance, withAdmin } from './service-instance';
import type { ServiceInstance } from './service-instance';

/**
 * A partition whose records wait while its group's committed offset does not move must show,
 * whether or not the consumer ever handles a batch of it: the consumer's own lag gauge is set
 * only after a handled batch, so a partition assigned and never fetched (a kafkajs consumer that
 * missed partitions added to its topic) or whose batch never completes showed nothing.
 */
describe('a partition that is not consumed shows its lag', () => {
  const isolation = isolate();
  const schema = isolation.schema('lag');
  const kafka = new Kafka({
    clientId: 'lag-test',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.ERROR,
  });
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  let producer: Producer;
  let instance: ServiceInstance | undefined;

  beforeAll(async () => {
    await client.connect();
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await instance?.stop();
    await producer.disconnect();
    await client.close();
    await client.deleteTopics(isolation.suffix);
    await dropSchemas(isolation.databaseUrl, [schema]);
  });

  /** Writes `count` records to one partition. */
  const produce = (topic: string, partition: number, count: number) =>
    producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: count }, (_, i) => ({ partition, value: `r${i}` })),
    });
  const gaugeValue = async (name: string, labels: Record<string, string>) =>
    (await metricsRegistry.getSingleMetric(name)?.get())?.values.find((value) =>
      Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted),
    )?.value;
  const byPartition = (lags: PartitionLag[]) =>
    [...lags]
      .sort((a, b) => a.partition - b.partition)
      .map(({ partition, lag, stalledSeconds }) => ({ partition, lag, stalledSeconds }));

  it("a service's consumer whose batch of one partition never completes: that partition shows its records behind and for how long, the other 0", async () => {
    instance = await startInstance(isolation, {
      service: 'lag',
      schema,
      applicationName: 'lag-a',
      topics: ['lag-watched', Topics.UsageDeadLetter],
      partitions: 2,
    });
    const { messaging } = instance;
    const topic = messaging.topic('lag-watched');
    const handled: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let partitionOneFetched = false;
    await messaging.consume({
      topics: ['lag-watched'],
      handler: async (messages: ConsumedMessage[]) => {
        if (messages[0]?.partition === 1) {
          partitionOneFetched = true;
          await released;
        }
        handled.push(...messages.map((message) => `${message.partition}:${message.offset}`));
      },
    });
    await produce(topic, 0, 4);
    await produce(topic, 1, 3);
    await eventually(() => {
      expect(handled).toEqual(['0:0', '0:1', '0:2', '0:3']);
      expect(partitionOneFetched).toBe(true);
    });
    const group = messaging.topic('lag.lag-watched');
    // kafkajs commits a handled batch's offsets right after it.
    await eventually(async () =>
      expect(byPartition(await messaging.sampleConsumerLag())).toEqual([
        { partition: 0, lag: 0n, stalledSeconds: 0 },
        { partition: 1, lag: 3n, stalledSeconds: 0 },
      ]),
    );
    await sleep(1_200);
    const [zero, one] = byPartition(await messaging.sampleConsumerLag());
    expect(zero).toEqual({ partition: 0, lag: 0n, stalledSeconds: 0 });
    expect(one?.lag).toBe(3n);
    expect(one?.stalledSeconds).toBeGreaterThanOrEqual(1.2);
    expect(await gaugeValue('tally_consumer_group_lag', { group, topic, partition: '1' })).toBe(3);
    expect(await gaugeValue('tally_consumer_group_lag', { group, topic, partition: '0' })).toBe(0);
    expect(
      await gaugeValue('tally_consumer_group_stalled_seconds', { group, topic, partition: '1' }),
    ).toBe(one?.stalledSeconds);
    // The consumer's own gauge never heard of partition 1.
    expect(await gaugeValue('tally_consumer_lag', { topic, partition: '1' })).toBeUndefined();

    release();
    await eventually(async () =>
      expect(byPartition(await messaging.sampleConsumerLag())).toEqual([
        { partition: 0, lag: 0n, stalledSeconds: 0 },
        { partition: 1, lag: 0n, stalledSeconds: 0 },
      ]),
    );
    expect(
      await gaugeValue('tally_consumer_group_stalled_seconds', { group, topic, partition: '1' }),
    ).toBe(0);

    await instance.stop();
    instance = undefined;
    expect(await gaugeValue('tally_consumer_group_lag', { group, topic })).toBeUndefined();
  }, 60_000);

  it('a group that never fetched a partition: its records from the log start, stalled while its committed offset stays', async () => {
    const topic = `lag-ghost.${isolation.suffix}`;
    const groupId = `lag-ghost-${isolation.suffix}`;
    await ensureTopics(kafka, [topic], 3);
    await produce(topic, 0, 5);
    await produce(topic, 1, 2);
    // The group read partition 0 up to offset 3 and never fetched partitions 1 and 2.
    await withAdmin(isolation, (admin) =>
      admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] }),
    );
    let now = 1_000_000;
    const lag = new ConsumerGroupLag(
      kafka,
      () => [{ groupId, topics: [topic] }],
      () => now,
    );
    try {
      expect(byPartition(await lag.sample())).toEqual([
        { partition: 0, lag: 2n, stalledSeconds: 0 },
        { partition: 1, lag: 2n, stalledSeconds: 0 },
        { partition: 2, lag: 0n, stalledSeconds: 0 },
      ]);
      now += 45_000;
      expect(byPartition(await lag.sample())).toEqual([
        { partition: 0, lag: 2n, stalledSeconds: 45 },
        { partition: 1, lag: 2n, stalledSeconds: 45 },
        { partition: 2, lag: 0n, stalledSeconds: 0 },
      ]);

      // Partition 0 moves by one (still behind: its clock starts again); partition 2 gets a
      // record (it waits from now).
      await withAdmin(isolation, (admin) =>
        admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '4' }] }),
      );
      await produce(topic, 2, 1);
      now += 30_000;
      expect(byPartition(await lag.sample())).toEqual([
        { partition: 0, lag: 1n, stalledSeconds: 0 },
        { partition: 1, lag: 2n, stalledSeconds: 75 },
        { partition: 2, lag: 1n, stalledSeconds: 0 },
      ]);
      now += 10_000;
      expect(byPartition(await lag.sample())).toEqual([
        { partition: 0, lag: 1n, stalledSeconds: 10 },
        { partition: 1, lag: 2n, stalledSeconds: 85 },
        { partition: 2, lag: 1n, stalledSeconds: 10 },
      ]);
      expect(
        await gaugeValue('tally_consumer_group_stalled_seconds', {
          group: groupId,
          topic,
          partition: '1',
        }),
      ).toBe(85);
    } finally {
      lag.clear();
    }
  }, 30_000);
});
