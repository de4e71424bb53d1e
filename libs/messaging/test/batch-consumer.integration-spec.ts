import { Kafka, logLevel } from 'kafkajs';
import { KafkaTestClient, eventually, isolate } from '@tally/testing';
import { BatchConsumer, ensureTopics } from '../src';
import type { ConsumedMessage } from '../src';

describe('BatchConsumer on the real broker', () => {
  const isolation = isolate();
  const kafka = new Kafka({
    clientId: 'batch-consumer-test',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.ERROR,
  });
  const client = new KafkaTestClient(isolation.kafkaBrokers);

  beforeAll(() => client.connect());
  afterAll(async () => {
    await client.close();
    await client.deleteTopics(isolation.suffix);
  });

  it('a consumer stopped between the slices of a batch leaves the slices it did not handle to the next one', async () => {
    const topic = `batch-consumer-stop.${isolation.suffix}`;
    const groupId = `batch-consumer-stop-${isolation.suffix}`;
    await ensureTopics(kafka, [topic], 1);
    const records = 5000;
    for (let start = 0; start < records; start += 1000) {
      await client.produce(
        topic,
        Array.from({ length: 1000 }, (_, i) => ({ key: 'k', value: String(start + i) })),
      );
    }
    const handled = new Set<string>();
    const record = (messages: ConsumedMessage[]) =>
      messages.forEach((message) => handled.add(message.offset));

    // The first consumer gets the whole backlog in one fetch and is stopped after its first
    // slice of 500, as SIGTERM would: its other slices must not be committed unhandled.
    let stopping: Promise<void> | undefined;
    const first: BatchConsumer = new BatchConsumer(kafka, {
      groupId,
      topics: [topic],
      maxSliceSize: 500,
      handler: async (messages) => {
        record(messages);
        stopping ??= first.stop();
      },
    });
    await first.start();
    await eventually(() => expect(stopping).toBeDefined(), 30_000);
    await stopping;
    const handledByFirst = handled.size;

    const second = new BatchConsumer(kafka, {
      groupId,
      topics: [topic],
      maxSliceSize: 500,
      handler: async (messages) => record(messages),
    });
    await second.start();
    try {
      await eventually(() => expect(handled.size).toBe(records), 30_000);
    } finally {
      await second.stop();
    }
    expect(handledByFirst).toBeLessThan(records);
    expect([...handled].map(Number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: records }, (_, i) => i),
    );
  });
});
