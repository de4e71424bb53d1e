import type { DataSource } from 'typeorm';
import { Topics } from '@tally/budget-domain';
import { createDataSource } from '@tally/persistence';
import { KafkaTestClient, dropSchemas, eventually, isolate } from '@tally/testing';
import type { OutboxTransaction, TransactionalConsumer } from '../src';
import { connectedAdmin, numberedConsumer, sleep, startInstance } from './service-instance';
import type { ExactlyOnceMode as Mode, Numbered, ServiceInstance } from './service-instance';

/**
 * Instance A takes a slice and stalls inside its effect (a GC pause, a slow statement) for longer
 * than its session: the group moves the partition to instance B, which takes the same records,
 * and more arrive. Then A wakes and commits. Each record's effect must be stored once, and the
 * stored position (consumer_positions; the group's Kafka offset) must never go back nor skip.
 */
describe('a zombie consumer: stalled in a slice past its session while the group moves its partition', () => {
  const isolation = isolate();
  const schema = isolation.schema('zombie');
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  const instances: ServiceInstance[] = [];
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = createDataSource({
      config: { url: isolation.databaseUrl, schema, poolSize: 2 },
      applicationName: 'zombie-test',
    });
    await dataSource.initialize();
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    // What each effect stored, by whom: no unique key, so that a second application shows.
    await dataSource.query(
      'CREATE TABLE applied (mode text NOT NULL, id text NOT NULL, n int NOT NULL, instance text NOT NULL)',
    );
    // The by-effect consumer's own record of what it applied, under a unique key.
    await dataSource.query('CREATE TABLE effect_rows (id text PRIMARY KEY)');
    await client.connect();
  });

  afterAll(async () => {
    await Promise.all(instances.splice(0).map((instance) => instance.stop()));
    await client.close();
    await client.deleteTopics(isolation.suffix);
    await dataSource?.destroy();
    await dropSchemas(isolation.databaseUrl, [schema]);
  });

  const consumerOf = (
    mode: Mode,
    instance: string,
    beforeStoring: () => Promise<void> = async () => undefined,
  ): TransactionalConsumer<Numbered> => {
    const effect = async (values: Numbered[], tx: OutboxTransaction) => {
      await beforeStoring();
      if (mode === 'by-effect')
        await tx.manager.query('INSERT INTO effect_rows (id) SELECT unnest($1::text[])', [
          values.map((value) => value.id),
        ]);
      await tx.manager.query(
        `INSERT INTO applied (mode, id, n, instance)
         SELECT $1, id, n, $4 FROM unnest($2::text[], $3::int[]) AS v(id, n)`,
        [mode, values.map((value) => value.id), values.map((value) => value.n), instance],
      );
    };
    return numberedConsumer(`zombie-${mode}`, mode, effect, async (ids, tx) => {
      const rows: Array<{ id: string }> = await tx.manager.query(
        'SELECT id FROM effect_rows WHERE id = ANY($1::text[])',
        [ids],
      );
      return new Set(rows.map((row) => row.id));
    });
  };

  const timesApplied = async (mode: Mode): Promise<Record<string, number>> => {
    const rows: Array<{ id: string; times: number }> = await dataSource.query(
      'SELECT id, count(*)::int AS times FROM applied WHERE mode = $1 GROUP BY id',
      [mode],
    );
    return Object.fromEntries(rows.map((row) => [row.id, row.times]));
  };
  const records = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => ({ id: `r${from + i}`, n: from + i }));
  const allOnce = (count: number) =>
    Object.fromEntries(records(0, count).map((record) => [record.id, 1]));

  it.each<Mode>(['by-inbox', 'by-position', 'by-effect'])(
    '%s: every record applied once, the positions only move forward',
    async (mode) => {
      const start = (name: string) =>
        startInstance(isolation, {
          service: 'zombie',
          schema,
          applicationName: `zombie-${name}-${mode}`,
          topics: [`zombie-${mode}`, Topics.UsageDeadLetter],
          // The broker's least: A is taken for dead 6 s after its last heartbeat.
          sessionTimeoutMs: 6_000,
        });
      const a = await start('a');
      instances.push(a);
      const topic = a.messaging.topic(`zombie-${mode}`);
      const group = a.messaging.topic(`zombie.zombie-${mode}`);

      // Where the consumer's position and the group's Kafka offset stand, sampled all along.
      const positions: number[] = [];
      const offsets: number[] = [];
      let sampling = true;
      const admin = await connectedAdmin(isolation);
      const sampler = (async () => {
        while (sampling) {
          const [row]: Array<{ next: string }> = await dataSource.query(
            `SELECT next_offset::text AS next FROM consumer_positions
             WHERE consumer = $1 AND partition = 0`,
            [`zombie-${mode}`],
          );
          if (row) positions.push(Number(row.next));
          const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
          const offset = Number(committed?.partitions[0]?.offset ?? -1);
          if (offset >= 0) offsets.push(offset);
          await sleep(20);
        }
      })().finally(() => admin.disconnect());

      let stall: (() => void) | undefined;
      const stalled = new Promise<void>((resolve) => (stall = resolve));
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      await a.messaging.consumeTransactionally(
        consumerOf(mode, 'a', async () => {
          if (!stall) return;
          stall();
          stall = undefined;
          await woken;
        }),
      );
      await client.produce(
        topic,
        records(0, 10).map((record) => ({ key: 'acct_1', value: JSON.stringify(record) })),
      );
      await stalled;

      const b = await start('b');
      instances.push(b);
      await b.messaging.consumeTransactionally(consumerOf(mode, 'b'));
      if (mode === 'by-effect') {
        // Nothing of A's is stored yet: B applies the same records and commits them.
        await eventually(async () => expect(await timesApplied(mode)).toEqual(allOnce(10)), 60_000);
      } else {
        // B has the partition and the same records: it waits for A's inbox rows or position lock.
        await eventually(async () => {
          const [{ waiting }] = await dataSource.query(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
             WHERE application_name = $1 AND wait_event_type = 'Lock'`,
            [`zombie-b-${mode}`],
          );
          expect(waiting).toBe(1);
        }, 60_000);
      }
      await client.produce(
        topic,
        records(10, 20).map((record) => ({ key: 'acct_1', value: JSON.stringify(record) })),
      );
      wake();

      await eventually(async () => expect(await timesApplied(mode)).toEqual(allOnce(20)), 60_000);
      await eventually(() => expect(offsets[offsets.length - 1]).toBe(20), 60_000);
      // Nothing late: A's slice and B's repeats have all ended.
      await sleep(3_000);
      sampling = false;
      await sampler;
      expect(await timesApplied(mode)).toEqual(allOnce(20));
      // The stalled slice: stored by A, whose transaction B waited for, or by B, when only A's
      // unique key stopped A.
      const [{ stalledBy }] = await dataSource.query(
        `SELECT string_agg(DISTINCT instance, ',') AS "stalledBy" FROM applied
         WHERE mode = $1 AND n < 10`,
        [mode],
      );
      expect(stalledBy).toBe(mode === 'by-effect' ? 'b' : 'a');
      const forwardOnly = (values: number[]) =>
        values.every((value, i) => i === 0 || value >= values[i - 1]!);
      expect(forwardOnly(offsets)).toBe(true);
      if (mode === 'by-position') {
        expect(forwardOnly(positions)).toBe(true);
        expect(positions[positions.length - 1]).toBe(20);
      }
      await Promise.all([a.stop(), b.stop()]);
      instances.splice(0);
    },
  );
});
