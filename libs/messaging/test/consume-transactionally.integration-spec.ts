import { Kafka, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { Topics } from '@tally/budget-domain';
import type { DeadLetterRecord } from '@tally/budget-domain';
import { KafkaTestClient, dropSchemas, eventually, isolate } from '@tally/testing';
import { z } from 'zod';
import type { Decoded, MessagingService, OutboxTransaction, TransactionalConsumer } from '../src';
import { startInstance } from './service-instance';
import type { ServiceInstance } from './service-instance';

const item = z.object({ id: z.string(), n: z.number().int() });
type Item = z.infer<typeof item>;

function decode(value: Buffer | null): Decoded<Item> {
  try {
    const parsed = item.safeParse(JSON.parse(value?.toString('utf8') ?? ''));
    return parsed.success
      ? { ok: true, value: parsed.data }
      : { ok: false, reason: 'schema_violation', error: parsed.error.message };
  } catch (error) {
    return { ok: false, reason: 'invalid_json', error: String(error) };
  }
}

/**
 * The three ways consumeTransactionally recognises a repeat, each shown by consuming a topic,
 * resetting the group to the start (every record delivered again, as after a crash between the
 * transaction's commit and Kafka's offset commit) and consuming it again. Then how a consumer
 * that fills batches takes records that trickle in (ADR 0051).
 */
describe('consumeTransactionally: a record applied once, whatever the redeliveries', () => {
  const isolation = isolate();
  const schema = isolation.schema('messaging_modes');
  const kafka = new Kafka({
    clientId: 'modes-test',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.ERROR,
  });
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  let instance: ServiceInstance;
  let dataSource: DataSource;
  let messaging: MessagingService;

  const applied = async (mode: string) =>
    (await dataSource.query('SELECT id, n FROM applied WHERE mode = $1 ORDER BY n', [
      mode,
    ])) as Array<{
      id: string;
      n: number;
    }>;
  /** Consumes until the group has read everything, then stops it and rewinds it to the start. */
  const consumeAndRewind = async (consumer: TransactionalConsumer<Item>, expected: number) => {
    const running = await messaging.consumeTransactionally(consumer);
    await eventually(
      async () => expect(await applied(consumer.topic)).toHaveLength(expected),
      30_000,
    );
    await running.stop();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.resetOffsets({
        groupId: messaging.topic(`messaging.${consumer.topic}`),
        topic: messaging.topic(consumer.topic),
        earliest: true,
      });
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    instance = await startInstance(isolation, {
      service: 'messaging',
      schema,
      applicationName: 'messaging-modes-test',
      topics: [
        'by-inbox',
        'by-effect',
        'by-position',
        'trickle-filled',
        'trickle-unfilled',
        Topics.UsageDeadLetter,
      ],
      kafka: { batchWaitMs: 5_000 },
    });
    ({ dataSource, messaging } = instance);
    await dataSource.query(
      'CREATE TABLE applied (mode text NOT NULL, id text NOT NULL, n int NOT NULL, PRIMARY KEY (mode, id))',
    );
    await client.connect();
  });

  afterAll(async () => {
    await instance?.stop();
    await client.close();
    await client.deleteTopics(isolation.suffix);
    await dropSchemas(isolation.databaseUrl, [schema]);
  });

  const produce = (topic: string, values: unknown[]) =>
    client.produce(
      messaging.topic(topic),
      values.map((value) => ({
        key: 'acct_1',
        value: typeof value === 'string' ? value : JSON.stringify(value),
      })),
    );
  /** What each mode's effect does: store its values, under a unique key. */
  const store = (mode: string) => async (values: Item[], tx: OutboxTransaction) => {
    for (const value of values) {
      await tx.manager.query('INSERT INTO applied (mode, id, n) VALUES ($1, $2, $3)', [
        mode,
        value.id,
        value.n,
      ]);
    }
  };
  const appliedIds = async (values: Item[], tx: OutboxTransaction) => {
    const rows: Array<{ id: string }> = await tx.manager.query(
      'SELECT id FROM applied WHERE mode = $1 AND id = ANY($2)',
      ['by-effect', values.map((value) => value.id)],
    );
    return new Set(rows.map((row) => row.id));
  };
  const consumers: Record<string, TransactionalConsumer<Item>> = {
    'by-inbox': { topic: 'by-inbox', decode, idOf: (value) => value.id, effect: store('by-inbox') },
    'by-effect': {
      topic: 'by-effect',
      decode,
      idOf: (value) => value.id,
      appliedIds,
      effect: store('by-effect'),
    },
    'by-position': {
      topic: 'by-position',
      decode,
      exactlyOnceBy: 'position',
      effect: store('by-position'),
    },
  };

  it.each(['by-inbox', 'by-effect', 'by-position'])(
    '%s: a redelivered slice changes nothing and its bad record is dead-lettered once',
    async (mode) => {
      const deadLetters = await client.record(messaging.topic(Topics.UsageDeadLetter));
      // A copy re-sent at another offset is a repeat by id; by position it would be new.
      const resent = mode === 'by-position' ? [] : [{ id: 'a', n: 1 }];
      await produce(mode, [{ id: 'a', n: 1 }, '{ not json', { id: 'b', n: 2 }, ...resent]);
      await consumeAndRewind(consumers[mode]!, 2);
      await produce(mode, [{ id: 'c', n: 3 }]);
      await consumeAndRewind(consumers[mode]!, 3);
      expect(await applied(mode)).toEqual([
        { id: 'a', n: 1 },
        { id: 'b', n: 2 },
        { id: 'c', n: 3 },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const mine = deadLetters
        .json<DeadLetterRecord>()
        .filter((record) => record.source_topic === messaging.topic(mode));
      expect(mine.map((record) => record.reason)).toEqual(['invalid_json']);
    },
  );

  it.each([
    { topic: 'trickle-filled', fillsBatches: true, takes: 'in one or two slices' },
    { topic: 'trickle-unfilled', fillsBatches: false, takes: 'nearly one by one' },
  ])(
    '$topic: eight records trickling in over a second are applied $takes',
    async ({ topic, fillsBatches }) => {
      const slices: number[] = [];
      const running = await messaging.consumeTransactionally({
        topic,
        decode,
        exactlyOnceBy: 'position',
        fillsBatches,
        effect: async (values, tx) => {
          slices.push(values.length);
          await store(topic)(values, tx);
        },
      });
      try {
        // The group has joined and fetches once its first record is applied.
        await produce(topic, [{ id: 'first', n: 0 }]);
        await eventually(async () => expect(await applied(topic)).toHaveLength(1), 30_000);
        slices.length = 0;
        for (let n = 1; n <= 8; n += 1) {
          await produce(topic, [{ id: `t${n}`, n }]);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await eventually(async () => expect(await applied(topic)).toHaveLength(9), 30_000);
      } finally {
        await running.stop();
      }
      expect(slices.reduce((sum, size) => sum + size, 0)).toBe(8);
      // Eight records within a second: a fetch that may wait 5 s takes them in at most two
      // (the one already waiting, then the next); one answered at the first record, in several.
      if (fillsBatches) expect(slices.length).toBeLessThanOrEqual(2);
      else expect(slices.length).toBeGreaterThanOrEqual(3);
    },
  );
});
