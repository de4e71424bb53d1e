import { Kafka, logLevel } from 'kafkajs';
import { metricsRegistry } from '@tally/platform';
import { KafkaTestClient, eventually, isolate } from '@tally/testing';
import { BatchConsumer, IDLE_FETCH_WAIT_MS, ensureTopics } from '../src';
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

  it('an idle consumer asks the broker again only every IDLE_FETCH_WAIT_MS', async () => {
    const topic = `batch-consumer-idle.${isolation.suffix}`;
    await ensureTopics(kafka, [topic], 3);
    // The kafkajs consumer BatchConsumer makes, with every fetch it completes counted.
    const fetches: number[] = [];
    const makeConsumer = kafka.consumer.bind(kafka);
    const spy = jest.spyOn(kafka, 'consumer').mockImplementation((config) => {
      const consumer = makeConsumer(config);
      consumer.on(consumer.events.FETCH, () => fetches.push(Date.now()));
      return consumer;
    });
    const handled: string[] = [];
    const consumer = new BatchConsumer(kafka, {
      groupId: `batch-consumer-idle-${isolation.suffix}`,
      topics: [topic],
      handler: async (messages) => void handled.push(...messages.map((m) => String(m.value))),
    });
    await consumer.start();
    try {
      // Once its first record is handled, the group has joined and the consumer is fetching.
      await client.produce(topic, [{ key: 'k', value: 'first' }]);
      await eventually(() => expect(handled).toEqual(['first']), 30_000);
      fetches.length = 0;
      const idleMs = 3000;
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      // 3 s at 500 ms a fetch is 6; at the 100 ms consumers waited before ADR 0052, about 30.
      expect(fetches.length).toBeGreaterThanOrEqual(2);
      expect(fetches.length).toBeLessThanOrEqual(idleMs / IDLE_FETCH_WAIT_MS + 2);
    } finally {
      await consumer.stop();
      spy.mockRestore();
    }
  });

  it('a consumer kafkajs stops for good (an error it does not retry) starts again, and handles what waits', async () => {
    const topic = `batch-consumer-crash.${isolation.suffix}`;
    await ensureTopics(kafka, [topic], 1);
    await client.produce(topic, [{ key: 'k', value: 'first' }]);
    // kafkajs gives up on a TypeError at once (no retry, no restart): here a handler's, the first
    // time; the patched kafkajs offsets bug was another.
    let calls = 0;
    const handled: string[] = [];
    const groupId = `batch-consumer-crash-${isolation.suffix}`;
    const consumer = new BatchConsumer(kafka, {
      groupId,
      topics: [topic],
      restartDelayMs: 500,
      handler: async (messages) => {
        calls += 1;
        if (calls === 1) throw new TypeError('a bug the first time');
        handled.push(...messages.map((m) => String(m.value)));
      },
    });
    await consumer.start();
    try {
      await eventually(() => expect(handled).toEqual(['first']), 30_000);
      await client.produce(topic, [{ key: 'k', value: 'second' }]);
      await eventually(() => expect(handled).toEqual(['first', 'second']), 30_000);
      const restarts = await metricsRegistry
        .getSingleMetric('tally_consumer_restarts_total')
        ?.get();
      expect(restarts?.values.find((value) => value.labels['group'] === groupId)?.value).toBe(1);
    } finally {
      await consumer.stop();
    }
  });
});
