import { Kafka, logLevel } from 'kafkajs';
import { KafkaTestClient, eventually, isolate } from '../src';

describe('KafkaTestClient on the real broker', () => {
  const mine = isolate();
  const other = isolate();
  const kafka = new Kafka({
    clientId: 'testing-test',
    brokers: mine.kafkaBrokers,
    logLevel: logLevel.ERROR,
  });
  const admin = kafka.admin();
  const client = new KafkaTestClient(mine.kafkaBrokers);
  const mineTopics = [`usage.events.${mine.suffix}`, `ledger.grant-credit.${mine.suffix}.reply`];
  const otherTopic = `usage.events.${other.suffix}`;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      topics: [...mineTopics, otherTopic].map((topic) => ({ topic, numPartitions: 1 })),
    });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [otherTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it("deletes a run's own topics and command replies, and no one else's", async () => {
    await client.deleteTopics(mine.suffix);

    // The broker applies a deletion to its metadata a moment after it answers.
    await eventually(async () => {
      const left = new Set(await admin.listTopics());
      expect(mineTopics.filter((topic) => left.has(topic))).toEqual([]);
      expect(left.has(otherTopic)).toBe(true);
    }, 10_000);
  });
});
