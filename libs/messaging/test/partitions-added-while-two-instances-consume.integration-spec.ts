import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { Topics } from '@tally/budget-domain';
import { KafkaTestClient, dropSchemas, eventually, isolate } from '@tally/testing';
import type { OutboxTransaction, TransactionalConsumer } from '../src';
import { decodeNumbered, startInstance, withAdmin } from './service-instance';
import type { Numbered, ServiceInstance } from './service-instance';

type Mode = 'by-inbox' | 'by-position';

/**
 * Two instances of a service consume a topic whose partitions are raised from 2 to 4 while they
 * run (docs/operations.md, "Partitions and replicas"). The new partitions must be taken up
 * soon (a consumer reads its metadata every KAFKA_METADATA_MAX_AGE_MS, here 3 s, then the group
 * rebalances; at kafkajs' default of 5 minutes this fails), and the records written to them
 * before any consumer was assigned them must be applied (a partition the group has no offset
 * for is read from its beginning), each once.
 */
describe('partitions added while two instances consume', () => {
  const isolation = isolate();
  const schema = isolation.schema('grow');
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  const kafka = new Kafka({
    clientId: 'grow-test',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.ERROR,
  });
  const instances: ServiceInstance[] = [];
  let dataSource: DataSource;

  const consumerOf = (mode: Mode): TransactionalConsumer<Numbered> => {
    const topic = `grow-${mode}`;
    const effect = async (values: Numbered[], tx: OutboxTransaction) => {
      await tx.manager.query('INSERT INTO applied (mode, id) SELECT $1, unnest($2::text[])', [
        mode,
        values.map((value) => value.id),
      ]);
    };
    return mode === 'by-position'
      ? { topic, decode: decodeNumbered, exactlyOnceBy: 'position', effect }
      : { topic, decode: decodeNumbered, idOf: (value) => value.id, effect };
  };

  beforeAll(async () => {
    for (const name of ['a', 'b']) {
      const instance = await startInstance(isolation, {
        service: 'grow',
        schema,
        applicationName: `grow-${name}`,
        topics: ['grow-by-inbox', 'grow-by-position', Topics.UsageDeadLetter],
        partitions: 2,
        metadataMaxAgeMs: 3_000,
      });
      instances.push(instance);
      if (name === 'a')
        await instance.dataSource.query(
          'CREATE TABLE applied (mode text NOT NULL, id text NOT NULL)',
        );
    }
    dataSource = instances[0]!.dataSource;
    await client.connect();
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await client.close();
    await client.deleteTopics(isolation.suffix);
    await dropSchemas(isolation.databaseUrl, [schema]);
  });

  /**
   * Writes records to the given partitions, with a producer that knows the topic as it is now.
   * The broker may show a partition just added some milliseconds after CreatePartitions: the
   * send retries until it does (ADR 0164; before, those records were silently not written).
   * Idempotent, as Tally's relays are: a partition just added may refuse the first request, and
   * kafkajs then sends the whole request again, which would write the other partitions' records
   * twice, and a consumer by position applies each offset.
   */
  const produceTo = async (topic: string, partitions: number[], ids: string[]) => {
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: ids.map((id, i) => ({
          key: `acct_${id}`,
          value: JSON.stringify({ id, n: i }),
          partition: partitions[i % partitions.length]!,
        })),
      });
    } finally {
      await producer.disconnect();
    }
  };
  const timesApplied = async (mode: Mode): Promise<Record<string, number>> => {
    const rows: Array<{ id: string; times: number }> = await dataSource.query(
      'SELECT id, count(*)::int AS times FROM applied WHERE mode = $1 GROUP BY id ORDER BY id',
      [mode],
    );
    return Object.fromEntries(rows.map((row) => [row.id, row.times]));
  };
  const once = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, 1]));

  it.each<Mode>(['by-inbox', 'by-position'])(
    '%s: records on the new partitions are applied within 90 s, each once',
    async (mode) => {
      for (const instance of instances)
        await instance.messaging.consumeTransactionally(consumerOf(mode));
      const topic = instances[0]!.messaging.topic(`grow-${mode}`);
      const before = Array.from({ length: 20 }, (_, i) => `old-${String(i).padStart(2, '0')}`);
      await produceTo(topic, [0, 1], before);
      await eventually(async () => expect(await timesApplied(mode)).toEqual(once(before)), 60_000);

      await withAdmin(isolation, (admin) =>
        admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] }),
      );
      const after = Array.from({ length: 20 }, (_, i) => `new-${String(i).padStart(2, '0')}`);
      await produceTo(topic, [0, 1, 2, 3], after);
      await eventually(
        async () => expect(await timesApplied(mode)).toEqual(once([...after, ...before])),
        90_000,
        500,
      );
    },
    180_000,
  );
});
