import { Logger } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { Topics } from '@tally/budget-domain';
import type { DeadLetterRecord } from '@tally/budget-domain';
import { metricsRegistry } from '@tally/platform';
import { KafkaTestClient, dropSchemas, eventually, isolate } from '@tally/testing';
import { ensureTopics } from '../src';
import type { OutboxTransaction, TransactionalConsumer } from '../src';
import { decodeNumbered, sleep, startInstance, withAdmin } from './service-instance';
import type { Numbered, ServiceInstance } from './service-instance';

type Mode = 'by-inbox' | 'by-position';

/**
 * A consumer's stored position (its consumer_positions row, or its group's offset in Kafka) and
 * the log can stop agreeing: the topic is deleted and created again (offsets start at 0 again),
 * or retention deletes records the group has not read yet (its offset is out of range). Either
 * way the service must say so loudly, and must neither skip records silently nor apply any twice.
 */
describe('a position the log no longer holds', () => {
  const isolation = isolate();
  const schema = isolation.schema('relog');
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  const kafka = new Kafka({
    clientId: 'relog-test',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const live = new Set<ServiceInstance>();

  const start = async (name: string) => {
    const instance = await startInstance(isolation, {
      service: 'relog',
      schema,
      applicationName: `relog-${name}`,
      topics: [
        'relog-recreated',
        'relog-inbox-recreated',
        'relog-retention-by-inbox',
        'relog-retention-by-position',
        Topics.UsageDeadLetter,
      ],
    });
    live.add(instance);
    return instance;
  };
  const stop = async (instance: ServiceInstance) => {
    live.delete(instance);
    await instance.stop();
  };

  beforeAll(async () => {
    const first = await start('setup');
    await first.dataSource.query(
      'CREATE TABLE applied (topic text NOT NULL, id text NOT NULL, n int NOT NULL)',
    );
    await stop(first);
    await client.connect();
  });

  afterAll(async () => {
    await Promise.all([...live].map((instance) => instance.stop()));
    await client.close();
    await client.deleteTopics(isolation.suffix);
    await dropSchemas(isolation.databaseUrl, [schema]);
  });

  const consumerOf = (topic: string, mode: Mode): TransactionalConsumer<Numbered> => {
    const effect = async (values: Numbered[], tx: OutboxTransaction) => {
      await tx.manager.query(
        'INSERT INTO applied (topic, id, n) SELECT $1, id, n FROM unnest($2::text[], $3::int[]) AS v(id, n)',
        [topic, values.map((value) => value.id), values.map((value) => value.n)],
      );
    };
    return mode === 'by-position'
      ? { topic, decode: decodeNumbered, exactlyOnceBy: 'position', effect }
      : { topic, decode: decodeNumbered, idOf: (value) => value.id, effect };
  };
  const consume = async (instance: ServiceInstance, topic: string, mode: Mode) => {
    await instance.messaging.consumeTransactionally(consumerOf(topic, mode));
    return instance.messaging.topic(topic);
  };
  const applied = async (instance: ServiceInstance, topic: string): Promise<string[]> =>
    (
      (await instance.dataSource.query('SELECT id FROM applied WHERE topic = $1 ORDER BY id', [
        topic,
      ])) as Array<{ id: string }>
    ).map((row) => row.id);
  const produce = (topic: string, ids: Array<string | number>) =>
    client.produce(
      topic,
      ids.map((id) => ({
        key: 'acct_1',
        value:
          typeof id === 'string' ? JSON.stringify({ id, n: Number(id.slice(1)) }) : '{ not json',
      })),
    );
  const recreate = async (topic: string) => {
    await withAdmin(isolation, (admin) => admin.deleteTopics({ topics: [topic] }));
    await withAdmin(isolation, async (admin) =>
      eventually(async () => expect(await admin.listTopics()).not.toContain(topic), 30_000),
    );
    await ensureTopics(kafka, [topic], 1);
  };
  const metric = async (name: string, labels: Record<string, string>): Promise<number> =>
    (await metricsRegistry.getSingleMetric(name)?.get())?.values.find((value) =>
      Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted),
    )?.value ?? 0;

  it('by position: a topic created again halts the partition, loudly, until its positions are reset', async () => {
    let instance = await start('recreated');
    const topic = await consume(instance, 'relog-recreated', 'by-position');
    await produce(topic, ['r0', 'r1', 'r2', 'r3', 'r4']);
    await eventually(async () =>
      expect(await applied(instance, 'relog-recreated')).toHaveLength(5),
    );

    // The topic is deleted and made again while the service is down (a broker rebuilt, say):
    // its offsets start at 0 again, and the group's offsets went with the old topic.
    await stop(instance);
    await recreate(topic);
    await produce(topic, ['n0', 'n1', 'n2']);
    instance = await start('recreated-restarted');
    await consume(instance, 'relog-recreated', 'by-position');
    // Its first batch, n0..n2, stands below the stored position; then the new log grows past it.
    await sleep(5_000);
    await produce(topic, ['n3', 'n4', 'n5', 'n6', 'n7']);
    await sleep(5_000);
    // Nothing of the new log is taken for applied, nor applied: the partition halts and says why.
    expect(await applied(instance, 'relog-recreated')).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(await metric('tally_consumer_halted_partitions', { topic, partition: '0' })).toBe(1);
    const [row] = await instance.dataSource.query(
      `SELECT next_offset::int AS next, halted FROM consumer_positions WHERE consumer = 'relog-recreated'`,
    );
    expect(row).toEqual({
      next: 5,
      halted: expect.stringMatching(/records below position 5 arrived from a log that ends at 3/),
    });

    // A restart alone changes nothing: the row says why the partition is halted.
    await stop(instance);
    instance = await start('recreated-again');
    await consume(instance, 'relog-recreated', 'by-position');
    await eventually(
      async () =>
        expect(await metric('tally_consumer_halted_partitions', { topic, partition: '0' })).toBe(1),
      30_000,
    );
    await sleep(2_000);
    expect(await applied(instance, 'relog-recreated')).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);

    // The operator resets the consumer's positions (docs/operations.md) and restarts it.
    await stop(instance);
    instance = await start('reset');
    await instance.dataSource.query(
      `DELETE FROM consumer_positions WHERE consumer = 'relog-recreated'`,
    );
    await consume(instance, 'relog-recreated', 'by-position');
    await eventually(async () =>
      expect(await applied(instance, 'relog-recreated')).toEqual([
        'n0',
        'n1',
        'n2',
        'n3',
        'n4',
        'n5',
        'n6',
        'n7',
        'r0',
        'r1',
        'r2',
        'r3',
        'r4',
      ]),
    );
    expect(await metric('tally_consumer_halted_partitions', { topic, partition: '0' })).toBe(0);
    await stop(instance);
  });

  it('by inbox: a topic created again is read from its start, and its bad records are dead-lettered again', async () => {
    let instance = await start('inbox-recreated');
    const deadLetters = await client.record(instance.messaging.topic(Topics.UsageDeadLetter));
    const topic = await consume(instance, 'relog-inbox-recreated', 'by-inbox');
    await produce(topic, ['r0', 0, 'r2']);
    await eventually(async () =>
      expect(await applied(instance, 'relog-inbox-recreated')).toEqual(['r0', 'r2']),
    );

    await stop(instance);
    await recreate(topic);
    await produce(topic, ['n0', 1, 'n2']);
    instance = await start('inbox-recreated-restarted');
    await consume(instance, 'relog-inbox-recreated', 'by-inbox');
    await eventually(async () =>
      expect(await applied(instance, 'relog-inbox-recreated')).toEqual(['n0', 'n2', 'r0', 'r2']),
    );
    // A different bad record at the offset of the first one: a dead letter of its own.
    const mine = () =>
      deadLetters
        .json<DeadLetterRecord>()
        .filter((record) => record.source_topic === topic)
        .map((record) => record.offset);
    await eventually(() => expect(mine()).toEqual(['1', '1']), 30_000);
    await stop(instance);
  });

  it.each<Mode>(['by-inbox', 'by-position'])(
    '%s: records retention deleted before the group read them are reported, and the rest applied once',
    async (mode) => {
      const name = `relog-retention-${mode}`;
      const errors = jest.spyOn(Logger.prototype, 'error');
      let instance = await start(`retention-${mode}`);
      const topic = await consume(instance, name, mode);
      await produce(topic, ['r0', 'r1', 'r2', 'r3', 'r4']);
      await eventually(async () => expect(await applied(instance, name)).toHaveLength(5));
      await stop(instance);

      // While no instance runs, five more arrive and retention deletes the log up to offset 8.
      await produce(topic, ['r5', 'r6', 'r7', 'r8', 'r9']);
      await withAdmin(isolation, async (admin) => {
        await admin.fetchTopicMetadata({ topics: [topic] });
        await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '8' }] });
      });
      instance = await start(`retention-${mode}-again`);
      await consume(instance, name, mode);
      await eventually(async () =>
        expect(await applied(instance, name)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r8', 'r9']),
      );
      const group = instance.messaging.topic(`relog.${name}`);
      expect(await metric('tally_consumer_offset_resets_total', { group, topic })).toBe(1);
      const said = errors.mock.calls.map(([message]) => String(message));
      expect(said).toContainEqual(
        expect.stringContaining(
          `Offset out of range, resetting to default offset (group ${group}, topic ${topic}, partition 0)`,
        ),
      );
      errors.mockRestore();
      await stop(instance);
    },
  );
});
