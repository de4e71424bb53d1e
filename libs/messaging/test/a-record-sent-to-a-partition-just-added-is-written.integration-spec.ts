import { Kafka, logLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { KafkaTestClient, isolate } from '@tally/testing';
import { withAdmin } from './service-instance';

/**
 * kafkajs' producer sent a record addressed to a partition its metadata did not have (one just
 * added to the topic) nowhere, and `send` resolved as if it had been written. Such a send now
 * reads the metadata again and writes the record, or fails: it never resolves without it.
 */
describe('a record sent to a partition just added to its topic', () => {
  const isolation = isolate();
  const kafka = new Kafka({
    clientId: 'added-partition-test',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  const topic = `added-partition.${isolation.suffix}`;
  let producer: Producer;

  beforeAll(async () => {
    await client.connect();
    await withAdmin(isolation, (admin) =>
      admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }),
    );
    // A few retries, so that a send that cannot be written fails within the test's time.
    producer = kafka.producer({ retry: { retries: 3, initialRetryTime: 100 } });
    await producer.connect();
    // The producer now holds the topic's metadata: two partitions, kept for 5 minutes.
    await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: 'first' }] });
  });

  afterAll(async () => {
    await producer.disconnect();
    await client.close();
    await client.deleteTopics(isolation.suffix);
  });

  const endOffsets = async () =>
    withAdmin(isolation, async (admin) =>
      Object.fromEntries(
        (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, high]),
      ),
    );

  it('is written to that partition, not dropped, by a producer whose metadata predates it', async () => {
    await withAdmin(isolation, (admin) =>
      admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] }),
    );

    const written = await producer.send({
      topic,
      acks: -1,
      messages: [
        { partition: 1, value: 'on an old partition' },
        { partition: 3, value: 'on a new partition' },
      ],
    });

    expect(written.map(({ partition }) => partition).sort()).toEqual([1, 3]);
    expect(await endOffsets()).toEqual({ 0: '1', 1: '1', 2: '0', 3: '1' });
  });

  it('fails, instead of resolving, when the partition does not exist', async () => {
    await expect(
      producer.send({ topic, acks: -1, messages: [{ partition: 9, value: 'nowhere' }] }),
    ).rejects.toThrow(/partition/i);
    expect(await endOffsets()).toEqual({ 0: '1', 1: '1', 2: '0', 3: '1' });
  });
});
