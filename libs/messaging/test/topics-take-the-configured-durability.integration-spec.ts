import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { KafkaTestClient, isolate } from '@tally/testing';
import { ensureTopics } from '../src';

// ADR 0196 on the one broker tests have: what a cluster of three would get with 3 and 2.
describe('ensureTopics creates topics as durable as configured', () => {
  const isolation = isolate();
  const kafka = new Kafka({
    clientId: 'topic-durability-test',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const client = new KafkaTestClient(isolation.kafkaBrokers);

  beforeAll(() => client.connect());
  afterAll(async () => {
    await client.close();
    await client.deleteTopics(isolation.suffix);
  });

  it('gives a topic the configured replicas and min.insync.replicas, beside its own settings', async () => {
    const topic = `durable.${isolation.suffix}`;
    await ensureTopics(
      kafka,
      [topic],
      2,
      { [topic]: { 'max.message.bytes': '60000' } },
      { replicationFactor: 1, minInsyncReplicas: 1 },
    );
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0]!.partitions.map((partition) => partition.replicas.length)).toEqual([1, 1]);
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic,
            configNames: ['min.insync.replicas', 'max.message.bytes'],
          },
        ],
      });
      const entries = Object.fromEntries(
        resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue]),
      );
      expect(entries).toEqual({ 'min.insync.replicas': '1', 'max.message.bytes': '60000' });
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses to create a topic with more replicas than brokers, rather than with fewer', async () => {
    const topic = `too-durable.${isolation.suffix}`;
    await expect(
      ensureTopics(kafka, [topic], 1, {}, { replicationFactor: 3, minInsyncReplicas: 2 }),
    ).rejects.toThrow(`the broker refused to create topics: ${topic}: INVALID_REPLICATION_FACTOR`);
  });
});
