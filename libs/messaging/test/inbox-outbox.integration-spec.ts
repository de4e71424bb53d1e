import { ConfigResourceTypes, Kafka, Partitioners, logLevel } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { createDataSource, listen, runMigrations } from '@tally/persistence';
import { metricsRegistry } from '@tally/platform';
import {
  KafkaTestClient,
  dropSchemas,
  eventually,
  isolate,
  inRolledBackTransaction,
  recordingManager,
  rowsExamined,
} from '@tally/testing';
import {
  CreateMessagingTables1763856000000,
  CreateOutboxRounds1763856000001,
  MESSAGING_MIGRATIONS,
  OutboxRelay,
  ensureTopics,
} from '../src';
// The inbox and outbox primitives themselves; services reach them only through MessagingService.
import { claimInbox, claimNew } from '../src/inbox';
import {
  OUTBOX_PACK_BYTES,
  PACKED_TOPIC_PREFIX,
  dedupeKeysInOutbox,
  enqueueOutbox,
  jsonMessage,
} from '../src/outbox';
import { outboxHasRowsAfter, readOutboxHead } from '../src/outbox-head';
import { OutboxPartitions } from '../src/outbox-partitions';

describe('inbox and outbox on the real database and broker', () => {
  const isolation = isolate();
  const schema = isolation.schema('messaging');
  const topic = `outbox-test.${isolation.suffix}`;
  const roundsTopic = `outbox-rounds.${isolation.suffix}`;
  const relayOptions = (
    overrides: {
      batchSize?: number;
      maxBatchBytes?: number;
      maxRoundBytes?: number;
      retentionDays?: number;
      name?: string;
      idleDelayMs?: number;
    } = {},
  ) => ({
    batchSize: 1000,
    maxBatchBytes: 1_000_000,
    maxRoundBytes: 4_000_000,
    idleDelayMs: 10,
    waitingDelayMs: 10,
    retentionDays: 2,
    partitionsAheadDays: 7,
    partitionDays: 1,
    maintenanceEveryMs: 3600_000,
    name: `relay-${schema}`,
    roundsTopic,
    ...overrides,
  });
  const kafka = new Kafka({
    clientId: 'messaging-test',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.ERROR,
  });
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  let dataSource: DataSource;
  /** Rows whose transaction the relay has not published yet (the outbox keeps published ones). */
  const unpublished = async (source: DataSource = dataSource): Promise<number> =>
    (
      await source.query(
        'SELECT count(*)::int AS n FROM outbox WHERE xid > (SELECT position FROM outbox_relay)',
      )
    )[0].n;
  /**
   * Waits until the outbox's committed transactions are all below the oldest one still open in
   * the cluster (other people's tests share it): only then does a round's size not depend on them.
   */
  const settled = (source: DataSource = dataSource) =>
    eventually(
      async () => {
        const [{ final }] = await source.query(
          `SELECT coalesce(max(xid) < pg_snapshot_xmin(pg_current_snapshot()), true) AS final
           FROM outbox`,
        );
        expect(final).toBe(true);
      },
      30_000,
      20,
    );
  /** How many times `target[method]` is called in the next `ms`. */
  const callsWithin = async <T extends object>(
    target: T,
    method: jest.FunctionPropertyNames<Required<T>>,
    ms: number,
  ): Promise<number> => {
    const spy = jest.spyOn(target, method);
    await new Promise((resolve) => setTimeout(resolve, ms));
    const calls = spy.mock.calls.length;
    spy.mockRestore();
    return calls;
  };
  const position = async (source: DataSource = dataSource): Promise<string> =>
    (await source.query('SELECT position::text AS position FROM outbox_relay'))[0].position;
  const today = async (offsetDays = 0): Promise<string> =>
    (
      await dataSource.query(`SELECT to_char(current_date + $1::int, 'YYYY-MM-DD') AS day`, [
        offsetDays,
      ])
    )[0].day;
  const partitionExists = async (day: string): Promise<boolean> =>
    (
      await dataSource.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [
        `outbox_p${day.replace(/-/g, '')}`,
      ])
    )[0].present;

  /**
   * What a leader that crashed after Kafka committed its round, before it stored its position,
   * leaves: the round recorded in `outbox_round`, its rows and its number committed in Kafka.
   */
  const roundCommittedInKafkaOnly = async (name: string, xid: string): Promise<string> => {
    const [{ round }] = await dataSource.query(
      `INSERT INTO outbox_round (round, upto) VALUES (nextval('outbox_round_seq'), $1::xid8) RETURNING round`,
      [xid],
    );
    const crashed = kafka.producer({
      transactionalId: name,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await crashed.connect();
    const transaction = await crashed.transaction();
    const pending = (await dataSource.query(
      'SELECT topic, message_key, value FROM outbox WHERE xid = $1::xid8 ORDER BY id',
      [xid],
    )) as Array<{ topic: string; message_key: string; value: string }>;
    for (const row of pending)
      await transaction.send({
        topic: row.topic,
        messages: [{ key: row.message_key, value: row.value }],
      });
    await transaction.sendOffsets({
      consumerGroupId: name,
      topics: [{ topic: roundsTopic, partitions: [{ partition: 0, offset: String(round) }] }],
    });
    await transaction.commit();
    await crashed.disconnect();
    return String(round);
  };

  /**
   * An outbox of ended transactions of 100 rows each (xids base + 1 to base + 201, below every
   * running one), written backwards so that the heap's order is not theirs. Statistics are taken
   * when only the first transaction is there (position base + 1): the planner then expects next
   * to nothing after the position, as when a burst begins, and 20,000 rows follow. Returns base.
   */
  const backlogBehindStaleStatistics = async (manager: EntityManager): Promise<number> => {
    await manager.query('DELETE FROM outbox');
    const [{ base }] = await manager.query(
      `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 300 AS base`,
    );
    const write = (from: number, to: number) =>
      manager.query(
        `INSERT INTO outbox (xid, topic, message_key, value)
         SELECT ($1::bigint + 1 + g / 100)::text::xid8, 'backlog', 'k', 'row-' || g
         FROM generate_series($3::int, $2::int, -1) AS g`,
        [base, from, to],
      );
    await write(0, 99);
    await manager.query('ANALYZE outbox');
    await write(100, 20_099);
    return Number(base);
  };

  beforeAll(async () => {
    dataSource = createDataSource({
      config: { url: isolation.databaseUrl, schema, poolSize: 4 },
      applicationName: 'messaging-test',
      migrations: MESSAGING_MIGRATIONS,
    });
    await dataSource.initialize();
    await runMigrations(dataSource);
    await ensureTopics(kafka, [topic], 3);
    await ensureTopics(kafka, [roundsTopic], 1);
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await client.deleteTopics(isolation.suffix);
    await dataSource.destroy();
    await dropSchemas(isolation.databaseUrl, [schema]);
  });

  it('claims a message id once, across batches and within one', async () => {
    const first = await dataSource.transaction((manager) =>
      claimInbox(manager, 'c1', ['a', 'b', 'a']),
    );
    const second = await dataSource.transaction((manager) => claimInbox(manager, 'c1', ['b', 'c']));
    const otherConsumer = await dataSource.transaction((manager) =>
      claimInbox(manager, 'c2', ['a']),
    );
    expect([...first].sort()).toEqual(['a', 'b']);
    expect([...second]).toEqual(['c']);
    expect([...otherConsumer]).toEqual(['a']);
  });

  it('keeps only the first copy of each new message', async () => {
    const items = [
      { messageId: 'x', n: 1 },
      { messageId: 'y', n: 2 },
      { messageId: 'x', n: 3 },
    ];
    const fresh = await dataSource.transaction((manager) => claimNew(manager, 'c3', items));
    expect(fresh).toEqual([
      { messageId: 'x', n: 1 },
      { messageId: 'y', n: 2 },
    ]);
  });

  it('forgets the inbox claim when the transaction rolls back', async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        await claimInbox(manager, 'c4', ['rolled-back']);
        throw new Error('effect failed');
      }),
    ).rejects.toThrow('effect failed');
    const retry = await dataSource.transaction((manager) =>
      claimInbox(manager, 'c4', ['rolled-back']),
    );
    expect([...retry]).toEqual(['rolled-back']);
  });

  it('looks dedupe keys up one by one in the index, never by reading the whole day', async () => {
    const day = new Date().toISOString().slice(0, 10);
    await inRolledBackTransaction(dataSource, async (manager) => {
      const write = (from: number, to: number) =>
        manager.query(
          `INSERT INTO outbox (topic, message_key, value, day, dedupe_key)
           SELECT 'looked-up', 'k', '{}', $1::date, 'dk-' || g FROM generate_series($2::int, $3::int) AS g`,
          [day, from, to],
        );
      // Statistics taken while the day was small, as on a day's partition early in the day.
      await write(1, 100);
      await manager.query('ANALYZE outbox');
      await write(101, 20_100);
      const present = Array.from({ length: 250 }, (_, i) => `dk-${1 + i * 80}`);
      const absent = Array.from({ length: 250 }, (_, i) => `absent-${i}`);
      const { manager: recorded, statements } = recordingManager(manager);

      const found = await dedupeKeysInOutbox(
        recorded,
        [...present, ...absent].map((key) => ({ key, day })),
      );

      expect([...found].sort()).toEqual([...present].sort());
      expect(statements).toHaveLength(1);
      // At most a row per key asked (the old lookup read all 20,100 of the day).
      expect(await rowsExamined(manager, statements[0]!, 'outbox')).toBeLessThanOrEqual(
        present.length + absent.length,
      );
    });
  });

  it("reads a round's rows in xid order from the index and stops at the limit, never sorting the whole backlog", async () => {
    await inRolledBackTransaction(dataSource, async (manager) => {
      const base = await backlogBehindStaleStatistics(manager);
      const { manager: recorded, statements } = recordingManager(manager);

      const head = await readOutboxHead(recorded, String(base + 1), {
        batchSize: 1000,
        maxRoundBytes: 4_000_000,
      });

      // Ten transactions fill the read; the tenth may go on past it, so nine are whole, and
      // they go out in written order.
      expect(head?.complete).toBe(true);
      expect(head?.upto).toBe(String(base + 10));
      expect(head?.rows.map((row) => row.value)).toEqual(
        Array.from({ length: 900 }, (_, i) => `row-${999 - i}`),
      );
      expect(statements).toHaveLength(2);
      // Planned on those statistics, the old read took all 20,000 rows after the position and sorted them.
      expect(await rowsExamined(manager, statements[1]!, 'outbox')).toBeLessThanOrEqual(1000);
    });
  });

  it('tells an idle relay in one statement whether rows follow its position, reading one row per partition whatever the backlog', async () => {
    await inRolledBackTransaction(dataSource, async (manager) => {
      const base = await backlogBehindStaleStatistics(manager);
      const { manager: recorded, statements } = recordingManager(manager);
      const [{ partitions }] = await manager.query(
        `SELECT count(*)::int AS partitions FROM pg_inherits WHERE inhparent = 'outbox'::regclass`,
      );

      expect(await outboxHasRowsAfter(recorded, String(base + 1))).toBe(true);
      expect(statements).toHaveLength(1);
      expect(await rowsExamined(manager, statements[0]!, 'outbox')).toBeLessThanOrEqual(partitions);
      const past = String(base + 201);
      expect(await outboxHasRowsAfter(recorded, past)).toBe(false);
      // A row of a transaction still running (this one) counts: the round's own read decides
      // whether it can go yet.
      await manager.query(
        `INSERT INTO outbox (topic, message_key, value) VALUES ('idle-look', 'k', 'open')`,
      );
      expect(await outboxHasRowsAfter(recorded, past)).toBe(true);
    });
  });

  it('an idle relay opens no transaction to look, and still publishes rows no one nudged it for', async () => {
    const idleTopic = `outbox-idle.${isolation.suffix}`;
    await ensureTopics(kafka, [idleTopic], 1);
    const recorder = await client.record(idleTopic);
    const idleMarks = () => recorder.json<{ idle?: string }>().map((payload) => payload.idle);
    await dataSource.transaction((manager) =>
      enqueueOutbox(manager, [jsonMessage(idleTopic, 'acct_idle', { idle: 'nudged' })]),
    );
    const relay = new OutboxRelay(dataSource, kafka, relayOptions());
    relay.start();
    try {
      relay.nudge();
      // Its first round has recovered, upkept the partitions and published: then it is idle.
      await eventually(() => expect(idleMarks()).toContain('nudged'));
      // With a 10 ms delay, dozens of looks in this window.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await callsWithin(dataSource, 'transaction', 300)).toBe(0);

      // Written without a nudge, as another instance's rows are.
      await dataSource.transaction((manager) =>
        enqueueOutbox(manager, [jsonMessage(idleTopic, 'acct_idle', { idle: 'unnudged' })]),
      );
      await eventually(() => expect(idleMarks()).toContain('unnudged'));
    } finally {
      await relay.stop();
    }
    expect(await unpublished()).toBe(0);
  });

  it('a relay that caught up looks again only after idleDelayMs, not waitingDelayMs', async () => {
    const relay = new OutboxRelay(dataSource, kafka, relayOptions({ idleDelayMs: 300 }));
    relay.start();
    try {
      await settled();
      await eventually(async () => expect(await unpublished()).toBe(0));
      // Its looks run on the driver's pool, outside a transaction.
      const pool = (dataSource.driver as unknown as { master: { query: () => unknown } }).master;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const looks = await callsWithin(pool, 'query', 1500);
      // 1.5 s at 300 ms a look is 5; at the 10 ms of waitingDelayMs it would be over 100.
      expect(looks).toBeGreaterThanOrEqual(2);
      expect(looks).toBeLessThanOrEqual(8);
    } finally {
      await relay.stop();
    }
  });

  it("wakes the leader when another instance wrote rows, long before the leader's next look", async () => {
    const wokenTopic = `outbox-woken.${isolation.suffix}`;
    await ensureTopics(kafka, [wokenTopic], 1);
    const recorder = await client.record(wokenTopic);
    const marks = () => recorder.json<{ woken?: string }>().map((payload) => payload.woken);
    // A look a minute apart: within the 30 s waited below, only a wake can publish a row.
    const options = relayOptions({ idleDelayMs: 60_000 });
    const leader = new OutboxRelay(dataSource, kafka, options);
    const other = new OutboxRelay(dataSource, kafka, options);
    leader.start();
    try {
      await dataSource.transaction((manager) =>
        enqueueOutbox(manager, [jsonMessage(wokenTopic, 'acct_woken', { woken: 'leader' })]),
      );
      leader.nudge();
      await eventually(() => expect(marks()).toEqual(['leader']));
      other.start();
      // Both caught up and asleep: the leader's waiting looks (10 ms) found nothing long ago.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await dataSource.transaction((manager) =>
        enqueueOutbox(manager, [jsonMessage(wokenTopic, 'acct_woken', { woken: 'other' })]),
      );
      // As MessagingService does in the instance whose transaction wrote the rows.
      other.nudge();
      await eventually(() => expect(marks()).toEqual(['leader', 'other']), 30_000);
    } finally {
      await Promise.all([leader.stop(), other.stop()]);
    }
  });

  it('an instance that does not lead, nudged all the time, notifies the leader at most once per waitingDelayMs', async () => {
    const options = { ...relayOptions({ idleDelayMs: 60_000 }), waitingDelayMs: 100 };
    const leader = new OutboxRelay(dataSource, kafka, options);
    const other = new OutboxRelay(dataSource, kafka, options);
    const listener = dataSource.createQueryRunner();
    const notifications: string[] = [];
    const unlisten = await listen(listener, 'tally_outbox_wrote', (name) => {
      if (name === options.name) notifications.push(name);
    });
    const leadTopic = `outbox-notifying.${isolation.suffix}`;
    await ensureTopics(kafka, [leadTopic], 1);
    const recorder = await client.record(leadTopic);
    leader.start();
    try {
      // It leads once it published a row.
      await dataSource.transaction((manager) =>
        enqueueOutbox(manager, [jsonMessage(leadTopic, 'acct_lead', { lead: true })]),
      );
      leader.nudge();
      await eventually(() => expect(recorder.json()).toHaveLength(1));
      other.start();
      await new Promise((resolve) => setTimeout(resolve, 300));
      notifications.length = 0;
      for (let i = 0; i < 100; i += 1) {
        other.nudge();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      // About 1.3 s of nudges every 10 ms: 13 notifications or so at 100 ms, over 100 without.
      expect(notifications.length).toBeGreaterThanOrEqual(1);
      expect(notifications.length).toBeLessThanOrEqual(20);
    } finally {
      await unlisten();
      await listener.release();
      await Promise.all([leader.stop(), other.stop()]);
    }
  });

  it('publishes rows that waited behind an older transaction once it ends, though nothing nudges it again', async () => {
    const waitingTopic = `outbox-waiting.${isolation.suffix}`;
    await ensureTopics(kafka, [waitingTopic], 1);
    const recorder = await client.record(waitingTopic);
    const marks = () => recorder.json<{ waiting?: string }>().map((payload) => payload.waiting);
    const relay = new OutboxRelay(dataSource, kafka, relayOptions({ idleDelayMs: 60_000 }));
    relay.start();
    const older = dataSource.createQueryRunner();
    try {
      await older.startTransaction();
      // An xid of its own: every transaction that ends after it waits behind it.
      await older.query('SELECT pg_current_xact_id()');
      await dataSource.transaction((manager) =>
        enqueueOutbox(manager, [jsonMessage(waitingTopic, 'acct_waiting', { waiting: 'row' })]),
      );
      relay.nudge();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(marks()).toEqual([]);
      await older.commitTransaction();
      await eventually(() => expect(marks()).toEqual(['row']), 30_000);
    } finally {
      if (older.isTransactionActive) await older.rollbackTransaction();
      await older.release();
      await relay.stop();
    }
  });

  it('shows for how long rows wait behind a transaction still running, and 0 once they are out', async () => {
    const waitingTopic = `outbox-held.${isolation.suffix}`;
    await ensureTopics(kafka, [waitingTopic], 1);
    const recorder = await client.record(waitingTopic);
    const heldSeconds = async () =>
      (await metricsRegistry.getSingleMetric('tally_outbox_held_seconds')?.get())?.values[0]?.value;
    const relay = new OutboxRelay(dataSource, kafka, relayOptions({ idleDelayMs: 100 }));
    relay.start();
    const older = dataSource.createQueryRunner();
    try {
      await settled();
      await eventually(async () => expect(await heldSeconds()).toBe(0));
      await older.startTransaction();
      await older.query('SELECT pg_current_xact_id()');
      await dataSource.transaction((manager) =>
        enqueueOutbox(manager, [jsonMessage(waitingTopic, 'acct_held', { held: 'row' })]),
      );
      relay.nudge();
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(recorder.messages).toHaveLength(0);
      expect(await heldSeconds()).toBeGreaterThanOrEqual(1);
      await older.commitTransaction();
      await recorder.waitForCount(1);
      await eventually(async () => expect(await heldSeconds()).toBe(0));
    } finally {
      if (older.isTransactionActive) await older.rollbackTransaction();
      await older.release();
      await relay.stop();
    }
  });

  it('publishes committed outbox rows in order, per key, once, and moves its position past them', async () => {
    const recorder = await client.record(topic);
    const relay = new OutboxRelay(dataSource, kafka, relayOptions({ batchSize: 7 }));
    await dataSource.transaction((manager) =>
      enqueueOutbox(
        manager,
        Array.from({ length: 25 }, (_, i) => jsonMessage(topic, `acct_${i % 2}`, { seq: i })),
      ),
    );
    await expect(
      dataSource.transaction(async (manager) => {
        await enqueueOutbox(manager, [jsonMessage(topic, 'acct_0', { seq: 'never' })]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');

    relay.start();
    relay.nudge();
    const messages = await recorder.waitForCount<{ seq: number }>(25);
    await relay.stop();

    const seqOf = (key: string) =>
      recorder.messages
        .filter((m) => m.key === key)
        .map((m) => (JSON.parse(m.value!.toString()) as { seq: number }).seq);
    expect(messages).toHaveLength(25);
    expect(seqOf('acct_0')).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
    expect(seqOf('acct_1')).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23]);
    // The outbox is a log: the rows stay (until their day's partition goes), the position moved.
    expect(await unpublished()).toBe(0);
    const [{ count, last }] = await dataSource.query(
      `SELECT count(*)::int AS count, max(xid)::text AS last FROM outbox WHERE value LIKE '{"seq":%'`,
    );
    expect(count).toBe(25);
    expect(await position()).toBe(last);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(recorder.messages).toHaveLength(25);
  });

  it('splits a backlog of transactions into rounds under the byte cap, and sends an oversized row alone', async () => {
    const recorder = await client.record(topic);
    const relay = new OutboxRelay(dataSource, kafka, relayOptions({ maxRoundBytes: 50_000 }));
    const padding = 'x'.repeat(20_000);
    for (let i = 0; i < 6; i += 1) {
      await dataSource.transaction((manager) =>
        enqueueOutbox(manager, [jsonMessage(topic, 'acct_big', { big: i, padding })]),
      );
    }
    await settled();
    expect(await relay.publishOnce()).toBe(2);
    expect(await relay.publishOnce()).toBe(2);
    expect(await relay.publishOnce()).toBe(2);
    expect(await relay.publishOnce()).toBe(0);
    await dataSource.transaction((manager) =>
      enqueueOutbox(manager, [
        jsonMessage(topic, 'acct_big', { big: 6, padding: 'y'.repeat(60_000) }),
      ]),
    );
    await settled();
    expect(await relay.publishOnce()).toBe(1);
    await relay.stop();
    await eventually(() =>
      expect(
        recorder
          .json<{ big?: number }>()
          .map((m) => m.big)
          .filter((big) => big !== undefined),
      ).toEqual([0, 1, 2, 3, 4, 5, 6]),
    );
  });

  it.each([
    ['a row per message', 0, [null, null, null, null, null, null]],
    // Rows of three: read one per slice, each sent as calls of two and one.
    ['packed rows', 65_000, [3, 3]],
  ])(
    'sends a transaction larger than a produce call as several calls in one Kafka transaction, read in slices (%s)',
    async (_, packBytes, rowSizes) => {
      // The topic refuses a record batch above 60 kB: six messages of 20 kB must go in calls of two.
      const capped = `outbox-capped-${packBytes}.${isolation.suffix}`;
      await ensureTopics(kafka, [capped], 1, { [capped]: { 'max.message.bytes': '60000' } });
      const recorder = await client.record(capped);
      const relay = new OutboxRelay(
        dataSource,
        kafka,
        relayOptions({ maxBatchBytes: 50_000, maxRoundBytes: 50_000 }),
      );
      const padding = 'x'.repeat(20_000);
      await dataSource.transaction((manager) =>
        enqueueOutbox(
          manager,
          Array.from({ length: 6 }, (_, i) =>
            jsonMessage(capped, 'acct_capped', { part: i, padding }),
          ),
          { packBytes },
        ),
      );
      const rows: Array<{ xid: string; keys: number | null }> = await dataSource.query(
        `SELECT xid::text AS xid, jsonb_array_length(packed_keys) AS keys FROM outbox
         WHERE topic IN ($1, $2) ORDER BY id`,
        [capped, PACKED_TOPIC_PREFIX + capped],
      );
      expect(rows.map((row) => row.keys)).toEqual(rowSizes);
      expect(new Set(rows.map((row) => row.xid)).size).toBe(1);
      // One round: the whole transaction, or nothing.
      await settled();
      expect(await relay.publishOnce()).toBe(6);
      expect(await relay.publishOnce()).toBe(0);
      await relay.stop();
      expect(await position()).toBe(rows[0]!.xid);
      const parts = await recorder.waitForCount<{ part: number }>(6);
      expect(parts.map((payload) => payload.part)).toEqual([0, 1, 2, 3, 4, 5]);
    },
  );

  it("packs a transaction's messages of one topic into a row and publishes them in order per key, byte for byte", async () => {
    const packed = `outbox-packed.${isolation.suffix}`;
    const other = `outbox-packed-other.${isolation.suffix}`;
    await ensureTopics(kafka, [packed, other], 3);
    const recorder = await client.record(packed);
    const otherRecorder = await client.record(other);
    const relay = new OutboxRelay(dataSource, kafka, relayOptions());
    const day = await today();
    // Ten on the topic, five on another, one that is a consumer's dedupe record, ten more on the
    // topic, five more on the other: rows [topic ×10, other ×10, dedupe, topic ×10].
    const wide = '\u00e9\u6f22\u{1f600}';
    const messages = [
      ...Array.from({ length: 10 }, (_, i) =>
        jsonMessage(packed, `acct_${i % 3}`, { packed: i, wide }),
      ),
      ...Array.from({ length: 5 }, (_, i) => jsonMessage(other, `acct_${i % 2}`, { other: i })),
      {
        ...jsonMessage(packed, 'acct_0', { packed: 10, wide }),
        dedupe: { key: '"packed-10"', day },
      },
      ...Array.from({ length: 10 }, (_, i) =>
        jsonMessage(packed, `acct_${(i + 11) % 3}`, { packed: i + 11, wide }),
      ),
      ...Array.from({ length: 5 }, (_, i) =>
        jsonMessage(other, `acct_${(i + 5) % 2}`, { other: i + 5 }),
      ),
    ];
    await dataSource.transaction((manager) =>
      enqueueOutbox(manager, messages, { packBytes: OUTBOX_PACK_BYTES }),
    );
    const rows: Array<{ topic: string; keys: number | null; dedupe_key: string | null }> =
      await dataSource.query(
        `SELECT topic, jsonb_array_length(packed_keys) AS keys, dedupe_key FROM outbox
         WHERE topic IN ($1, $2, $3, $4) ORDER BY id`,
        [packed, other, PACKED_TOPIC_PREFIX + packed, PACKED_TOPIC_PREFIX + other],
      );
    expect(rows).toEqual([
      { topic: `packed:${packed}`, keys: 10, dedupe_key: null },
      { topic: `packed:${other}`, keys: 10, dedupe_key: null },
      { topic: packed, keys: null, dedupe_key: '"packed-10"' },
      { topic: `packed:${packed}`, keys: 10, dedupe_key: null },
    ]);
    expect(
      await dataSource.transaction((manager) =>
        dedupeKeysInOutbox(manager, [{ key: '"packed-10"', day }]),
      ),
    ).toEqual(new Set(['"packed-10"']));

    await settled();
    expect(await relay.publishOnce()).toBe(31);
    expect(await relay.publishOnce()).toBe(0);
    await relay.stop();
    await recorder.waitForCount(21);
    await otherRecorder.waitForCount(10);
    const sentOf = (messagesOf: typeof recorder.messages, key: string) =>
      messagesOf.filter((m) => m.key?.toString() === key).map((m) => m.value!.toString());
    for (const key of ['acct_0', 'acct_1', 'acct_2']) {
      expect(sentOf(recorder.messages, key)).toEqual(
        messages.filter((m) => m.topic === packed && m.key === key).map((m) => m.value),
      );
    }
    for (const key of ['acct_0', 'acct_1']) {
      expect(sentOf(otherRecorder.messages, key)).toEqual(
        messages.filter((m) => m.topic === other && m.key === key).map((m) => m.value),
      );
    }
    expect(recorder.messages).toHaveLength(21);
    expect(otherRecorder.messages).toHaveLength(10);
  });

  it('compresses a packed row with lz4, in the partitions the migration found and in those made after it', async () => {
    const lz4 = `outbox-lz4.${isolation.suffix}`;
    // Past TOAST's 2 kB threshold, so PostgreSQL compresses the row's value and keys.
    const messages = Array.from({ length: 100 }, (_, i) =>
      jsonMessage(lz4, `acct_with_a_long_name_${i}`, { i, note: 'a balance '.repeat(10) }),
    );
    // Rolled back: no relay of a later test may find the row.
    const written = await inRolledBackTransaction(dataSource, async (manager) => {
      await enqueueOutbox(manager, messages, { packBytes: OUTBOX_PACK_BYTES });
      return manager.query(
        `SELECT pg_column_compression(value) AS value, pg_column_compression(packed_keys) AS keys
         FROM outbox WHERE topic = $1`,
        [PACKED_TOPIC_PREFIX + lz4],
      );
    });
    expect(written).toEqual([{ value: 'lz4', keys: 'lz4' }]);

    await new OutboxPartitions(dataSource, {
      retentionDays: 2,
      aheadDays: 8,
      partitionDays: 1,
      lockName: `partitions-${schema}`,
      lockTimeoutMs: 2000,
    }).ensure();
    const methods: Array<{ method: string; partitions: number }> = await dataSource.query(
      `SELECT a.attcompression AS method, count(DISTINCT i.inhrelid)::int AS partitions
       FROM pg_inherits AS i JOIN pg_attribute AS a ON a.attrelid = i.inhrelid
       WHERE i.inhparent = 'outbox'::regclass AND a.attname IN ('value', 'packed_keys')
       GROUP BY a.attcompression`,
    );
    expect(methods).toEqual([{ method: 'l', partitions: expect.any(Number) }]);
    // The migration made today's and tomorrow's; the rest came after it.
    expect(methods[0]!.partitions).toBeGreaterThanOrEqual(9);
  });

  it('a packed row sent as one message, as a relay older than packing would, is refused by Kafka', async () => {
    const older = `outbox-older-relay.${isolation.suffix}`;
    await ensureTopics(kafka, [older], 1);
    await dataSource.transaction((manager) =>
      enqueueOutbox(
        manager,
        [jsonMessage(older, 'acct_a', { n: 0 }), jsonMessage(older, 'acct_b', { n: 1 })],
        { packBytes: OUTBOX_PACK_BYTES },
      ),
    );
    const [row]: Array<{ topic: string; message_key: string | null; value: string }> =
      await dataSource.query('SELECT topic, message_key, value FROM outbox WHERE topic = $1', [
        PACKED_TOPIC_PREFIX + older,
      ]);
    const producer = kafka.producer();
    await producer.connect();
    try {
      await expect(
        producer.send({
          topic: row!.topic,
          messages: [{ key: row!.message_key, value: row!.value }],
        }),
      ).rejects.toThrow(/invalid topic/);
    } finally {
      await producer.disconnect();
    }
    const recorder = await client.record(older);
    const relay = new OutboxRelay(dataSource, kafka, relayOptions());
    await settled();
    expect(await relay.publishOnce()).toBe(2);
    await relay.stop();
    expect(await recorder.waitForCount<{ n: number }>(2)).toEqual([{ n: 0 }, { n: 1 }]);
  });

  it('fails a round on a packed row whose values and keys differ in number, and sends nothing of it', async () => {
    // An outbox of its own: the row stays, and holds back everything behind it.
    const corruptSchema = isolation.schema('corrupt');
    const corrupt = `outbox-corrupt.${isolation.suffix}`;
    await ensureTopics(kafka, [corrupt], 1);
    const recorder = await client.record(corrupt);
    const source = createDataSource({
      config: { url: isolation.databaseUrl, schema: corruptSchema, poolSize: 2 },
      applicationName: 'messaging-test-corrupt',
      migrations: MESSAGING_MIGRATIONS,
    });
    try {
      await source.initialize();
      await runMigrations(source);
      const relay = new OutboxRelay(
        source,
        kafka,
        relayOptions({ name: `relay-${corruptSchema}` }),
      );
      await source.query(
        `INSERT INTO outbox (topic, value, packed_keys) VALUES ($1, $2, '["acct_a", "acct_b", "acct_c"]')`,
        [PACKED_TOPIC_PREFIX + corrupt, ['{"corrupt":0}', '{"corrupt":1}'].join('\u001d')],
      );
      await source.transaction((manager) =>
        enqueueOutbox(manager, [jsonMessage(corrupt, 'acct_a', { behind: true })]),
      );
      const before = await position(source);
      await settled(source);
      await expect(relay.publishOnce()).rejects.toThrow(/is corrupt: 2 values for 3 keys/);
      await expect(relay.publishOnce()).rejects.toThrow(/is corrupt: 2 values for 3 keys/);
      await relay.stop();
      expect(await position(source)).toBe(before);
      expect(await unpublished(source)).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(recorder.messages).toHaveLength(0);
    } finally {
      await source.destroy();
      await dropSchemas(isolation.databaseUrl, [corruptSchema]);
    }
  });

  it('publishing deletes and updates no outbox row: nothing for a vacuum to clean', async () => {
    const recorder = await client.record(topic);
    const relay = new OutboxRelay(dataSource, kafka, relayOptions({ batchSize: 40 }));
    const written = async () =>
      (
        await dataSource.query(
          `SELECT coalesce(sum(s.n_tup_ins), 0)::int AS inserted,
                  coalesce(sum(s.n_tup_upd + s.n_tup_del), 0)::int AS changed,
                  coalesce(sum(s.n_dead_tup), 0)::int AS dead
           FROM pg_stat_user_tables s JOIN pg_inherits i ON i.inhrelid = s.relid
           WHERE i.inhparent = to_regclass('outbox')`,
        )
      )[0] as { inserted: number; changed: number; dead: number };
    for (let i = 0; i < 3; i += 1) {
      await dataSource.transaction((manager) =>
        enqueueOutbox(
          manager,
          Array.from({ length: 40 }, (_, j) => jsonMessage(topic, 'acct_log', { log: i * 40 + j })),
        ),
      );
    }
    await settled();
    for (let round = 0; round < 3; round += 1) expect(await relay.publishOnce()).toBe(40);
    await relay.stop();
    await eventually(() =>
      expect(recorder.json<{ log?: number }>().filter((m) => m.log !== undefined)).toHaveLength(
        120,
      ),
    );
    // Statistics arrive within a second or so: then no row was updated or deleted, and the only
    // dead rows are inserts that rolled back.
    await eventually(async () => {
      const { inserted, changed, dead } = await written();
      const [{ rows }] = await dataSource.query('SELECT count(*)::int AS rows FROM outbox');
      expect(rows).toBeGreaterThanOrEqual(120);
      expect({ changed, dead }).toEqual({ changed: 0, dead: inserted - rows });
    });
  });

  it('a new leader does not send again a round Kafka committed before the crash, and sends one it did not', async () => {
    const recorder = await client.record(topic);
    const rows = (tag: string) =>
      Array.from({ length: 3 }, (_, i) =>
        jsonMessage(topic, 'acct_crash', { crash: `${tag}-${i}` }),
      );
    const xidOf = async (tag: string): Promise<string> =>
      (
        await dataSource.query(`SELECT DISTINCT xid::text AS xid FROM outbox WHERE value LIKE $1`, [
          `{"crash":"${tag}-%`,
        ])
      )[0].xid;
    // A round the crashed leader sent and committed in Kafka, but whose position it never stored.
    await dataSource.transaction((manager) => enqueueOutbox(manager, rows('committed')));
    const committedXid = await xidOf('committed');
    await roundCommittedInKafkaOnly(`relay-${schema}`, committedXid);
    // A round recorded but never committed in Kafka.
    await dataSource.transaction((manager) => enqueueOutbox(manager, rows('uncommitted')));
    const uncommittedXid = await xidOf('uncommitted');
    await dataSource.query(
      `INSERT INTO outbox_round (round, upto) VALUES (nextval('outbox_round_seq'), $1::xid8)`,
      [uncommittedXid],
    );

    const relay = new OutboxRelay(dataSource, kafka, relayOptions());
    await settled();
    expect(await relay.publishOnce()).toBe(3);
    expect(await relay.publishOnce()).toBe(0);
    await relay.stop();

    const crash = () =>
      recorder
        .json<{ crash?: string }>()
        .map((m) => m.crash)
        .filter((value): value is string => value !== undefined);
    await eventually(() => expect(crash()).toHaveLength(6));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(crash()).toEqual([
      'committed-0',
      'committed-1',
      'committed-2',
      'uncommitted-0',
      'uncommitted-1',
      'uncommitted-2',
    ]);
    expect(await position()).toBe(uncommittedXid);
    expect(await unpublished()).toBe(0);
    expect(await dataSource.query('SELECT count(*)::int AS count FROM outbox_round')).toEqual([
      { count: 0 },
    ]);
  });

  it("an old leader's commit racing the new leader's fencing: each round reaches Kafka once, whichever lands first", async () => {
    const recorder = await client.record(topic);
    const name = `relay-fence-${schema}`;
    const fence = () =>
      recorder
        .json<{ fence?: string }>()
        .map((m) => m.fence)
        .filter((value): value is string => value !== undefined);
    const expected: string[] = [];
    // When the old leader's EndTxn goes out: 'before' the new leader starts; 'check' right after
    // the new leader read the committed round (the open item's case); or this many ms after the
    // new leader starts to register its producer (InitProducerId, which fences): with it,
    // during its retries, after it.
    const lags: Array<'before' | 'check' | number> = [
      'before',
      'before',
      'check',
      'check',
      0,
      0,
      0,
      1,
      2,
      3,
      5,
      8,
      13,
      21,
      34,
    ];
    const landed: boolean[] = [];
    for (const [i, lag] of lags.entries()) {
      const values = [0, 1, 2].map((n) => `${i}-${n}`);
      await dataSource.transaction((manager) =>
        enqueueOutbox(
          manager,
          values.map((value) => jsonMessage(topic, 'acct_fence', { fence: value })),
        ),
      );
      const [{ xid }] = await dataSource.query(
        `SELECT DISTINCT xid::text AS xid FROM outbox WHERE value LIKE $1`,
        [`{"fence":"${i}-%`],
      );
      // The old leader numbered its round and sent it; its lock session has ended.
      const [{ round }] = await dataSource.query(
        `INSERT INTO outbox_round (round, upto) VALUES (nextval('outbox_round_seq'), $1::xid8) RETURNING round`,
        [xid],
      );
      const old = kafka.producer({
        transactionalId: name,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await old.connect();
      const transaction = await old.transaction();
      await transaction.send({
        topic,
        messages: values.map((value) => ({
          key: 'acct_fence',
          value: JSON.stringify({ fence: value }),
        })),
      });
      await transaction.sendOffsets({
        consumerGroupId: name,
        topics: [{ topic: roundsTopic, partitions: [{ partition: 0, offset: String(round) }] }],
      });
      const commitOld = () =>
        transaction.commit().then(
          () => true,
          () => false,
        );
      let oldCommit: Promise<boolean> | undefined =
        lag === 'before' ? Promise.resolve(await commitOld()) : undefined;
      const racing = Object.create(kafka) as Kafka;
      racing.producer = (config) => {
        const producer = kafka.producer(config);
        const register = producer.transaction.bind(producer);
        producer.transaction = () => {
          if (typeof lag === 'number')
            oldCommit ??= new Promise((resolve) => setTimeout(resolve, lag)).then(commitOld);
          return register();
        };
        return producer;
      };
      racing.admin = (config) => {
        const admin = kafka.admin(config);
        const fetchOffsets = admin.fetchOffsets.bind(admin);
        admin.fetchOffsets = (async (request: Parameters<typeof fetchOffsets>[0]) => {
          const read = await fetchOffsets(request);
          if (lag === 'check') await (oldCommit ??= commitOld());
          return read;
        }) as typeof admin.fetchOffsets;
        return admin;
      };
      const relay = new OutboxRelay(dataSource, racing, relayOptions({ name }));
      await settled();
      await relay.publishOnce();
      if (!oldCommit) throw new Error(`takeover ${i}: the old leader's commit was never sent`);
      const committed = await oldCommit;
      landed.push(committed);
      await eventually(async () => {
        await relay.publishOnce();
        expect(await position()).toBe(xid);
      });
      await relay.stop();
      await old.disconnect();
      expected.push(...values);
      await eventually(() => expect(fence()).toHaveLength(expected.length), 10_000);
      // Whichever landed first, the round is in Kafka once: the old leader's commit or the resend.
      expect({ lag, committed, fence: fence() }).toEqual({ lag, committed, fence: expected });
      expect(await dataSource.query('SELECT count(*)::int AS count FROM outbox_round')).toEqual([
        { count: 0 },
      ]);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fence()).toEqual(expected);
    // Landed before the takeover: found committed. Sent during the check: refused, as fenced.
    expect(landed.slice(0, 4)).toEqual([true, true, false, false]);
  });

  it('a relay killed between the Kafka commit and storing its position: the next leader publishes nothing twice', async () => {
    const recorder = await client.record(topic);
    const doomedName = `doomed-relay-${isolation.suffix}`;
    const doomedSource = createDataSource({
      config: { url: isolation.databaseUrl, schema, poolSize: 4 },
      applicationName: doomedName,
    });
    await doomedSource.initialize();
    await dataSource.transaction((manager) =>
      enqueueOutbox(
        manager,
        Array.from({ length: 3 }, (_, i) => jsonMessage(topic, 'acct_killed', { killed: i })),
      ),
    );
    // The relay's position update waits on this row lock: it has committed in Kafka by then.
    const blocker = dataSource.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    await blocker.query('SELECT position FROM outbox_relay FOR UPDATE');
    const doomed = new OutboxRelay(doomedSource, kafka, relayOptions());
    await settled();
    const doomedRound = doomed.publishOnce();
    doomedRound.catch(() => undefined);
    const killed = () =>
      recorder
        .json<{ killed?: number }>()
        .map((m) => m.killed)
        .filter((value): value is number => value !== undefined);
    await eventually(() => expect(killed()).toEqual([0, 1, 2]));
    await eventually(async () => {
      const [{ waiting }] = await dataSource.query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
         WHERE application_name = $1 AND wait_event_type = 'Lock' AND query LIKE 'UPDATE outbox_relay%'`,
        [doomedName],
      );
      expect(waiting).toBe(1);
    });
    // The process dies: its sessions end (and with them its leader lock).
    await dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
      [doomedName],
    );
    await expect(doomedRound).rejects.toThrow();
    await blocker.rollbackTransaction();
    await blocker.release();
    await doomedSource.destroy().catch(() => undefined);
    expect(await unpublished()).toBe(3);

    const relay = new OutboxRelay(dataSource, kafka, relayOptions());
    expect(await relay.publishOnce()).toBe(0);
    expect(await unpublished()).toBe(0);
    await dataSource.transaction((manager) =>
      enqueueOutbox(manager, [jsonMessage(topic, 'acct_killed', { killed: 3 })]),
    );
    await settled();
    expect(await relay.publishOnce()).toBe(1);
    await relay.stop();
    await eventually(() => expect(killed()).toEqual([0, 1, 2, 3]));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(killed()).toEqual([0, 1, 2, 3]);
  });

  it('a new leader that finds the committed round gone from Kafka (offsets.retention.minutes) neither sends the pending round again nor takes it for published', async () => {
    const name = `relay-forgotten-${schema}`;
    const recorder = await client.record(topic);
    const forgotten = () =>
      recorder
        .json<{ forgotten?: number }>()
        .map((m) => m.forgotten)
        .filter((value): value is number => value !== undefined);
    const write = (values: number[]) =>
      dataSource.transaction((manager) =>
        enqueueOutbox(
          manager,
          values.map((forgotten) => jsonMessage(topic, 'acct_forgotten', { forgotten })),
        ),
      );
    // Rounds this relay published: Kafka has remembered one of them.
    await write([0]);
    await settled();
    const before = new OutboxRelay(dataSource, kafka, relayOptions({ name }));
    expect(await before.publishOnce()).toBe(1);
    await before.stop();
    // Then a round Kafka committed and whose position the leader never stored.
    await write([1, 2]);
    const [{ xid }] = await dataSource.query(
      `SELECT max(xid)::text AS xid FROM outbox WHERE value LIKE '{"forgotten":%'`,
    );
    const round = await roundCommittedInKafkaOnly(name, xid);
    await eventually(() => expect(forgotten()).toEqual([0, 1, 2]));
    // The service stays down past the broker's offsets.retention.minutes: the group's offsets go.
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([name]);
    await admin.disconnect();

    const relay = new OutboxRelay(dataSource, kafka, relayOptions({ name }));
    await settled();
    await expect(relay.publishOnce()).rejects.toThrow(
      `outbox relay ${name}: Kafka no longer knows its committed round (the group's offsets expired, offsets.retention.minutes, or were deleted), so whether round ${round} (up to xid ${xid}) was published is unknown; see docs/operations.md, TallyOutboxFailing`,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(forgotten()).toEqual([0, 1, 2]);
    expect(await unpublished()).toBe(2);

    // The operator finds the round's records in the topic, and says so (docs/operations.md).
    await dataSource.query(
      `UPDATE outbox_relay SET position = r.upto FROM outbox_round r
       WHERE r.round = $1 AND outbox_relay.position < r.upto`,
      [round],
    );
    await dataSource.query('DELETE FROM outbox_round WHERE round = $1', [round]);
    await write([3]);
    await settled();
    expect(await relay.publishOnce()).toBe(1);
    await relay.stop();
    await eventually(() => expect(forgotten()).toEqual([0, 1, 2, 3]));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(forgotten()).toEqual([0, 1, 2, 3]);
    expect(await unpublished()).toBe(0);
  });

  it('a relay whose group lost its offset while the service was stopped commits it again, so a round that then fails is sent again, not held as unknown', async () => {
    const name = `relay-lapsed-${schema}`;
    const lapsed = `outbox-lapsed.${isolation.suffix}`;
    await ensureTopics(kafka, [lapsed], 1, { [lapsed]: { 'max.message.bytes': '1024' } });
    const recorder = await client.record(lapsed);
    const write = (value: string, padding = '') =>
      dataSource.transaction((manager) =>
        enqueueOutbox(manager, [jsonMessage(lapsed, 'acct_lapsed', { lapsed: value, padding })]),
      );
    await write('before');
    await settled();
    const before = new OutboxRelay(dataSource, kafka, relayOptions({ name }));
    expect(await before.publishOnce()).toBe(1);
    await before.stop();
    // Stopped past offsets.retention.minutes: the group's offset goes.
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([name]);

    // The first round after the restart fails: the topic refuses the record.
    await write('after', 'x'.repeat(2000));
    const relay = new OutboxRelay(dataSource, kafka, relayOptions({ name }));
    await settled();
    await expect(relay.publishOnce()).rejects.toThrow();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: lapsed,
          configEntries: [{ name: 'max.message.bytes', value: '1048576' }],
        },
      ],
    });
    await admin.disconnect();
    await settled();
    await eventually(async () => expect(await relay.publishOnce()).toBe(1));
    await relay.stop();
    expect(
      (await recorder.waitForCount<{ lapsed: string }>(2)).map((payload) => payload.lapsed),
    ).toEqual(['before', 'after']);
    expect(await unpublished()).toBe(0);
  });

  it('never skips a transaction that commits after one with a higher xid, nor sends one twice', async () => {
    const recorder = await client.record(topic);
    const relay = new OutboxRelay(dataSource, kafka, relayOptions({ batchSize: 3 }));
    expect(await relay.publishOnce()).toBe(0);
    // The early transaction takes its xid first, then waits while a later one commits.
    const early = dataSource.createQueryRunner();
    await early.connect();
    await early.startTransaction();
    const [{ xid: earlyXid }] = await early.query('SELECT pg_current_xact_id()::text AS xid');
    await dataSource.transaction((manager) =>
      enqueueOutbox(manager, [jsonMessage(topic, 'acct_late', { late: 'committed first' })]),
    );
    await enqueueOutbox(early.manager, [
      jsonMessage(topic, 'acct_late', { late: 'committed last' }),
    ]);
    const late = () =>
      recorder
        .json<{ late?: string }>()
        .map((m) => m.late)
        .filter((value): value is string => value !== undefined);
    // The later xid is committed but waits: publishing it would move the position past the early one.
    expect(await relay.publishOnce()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(late()).toEqual([]);
    expect(BigInt(await position())).toBeLessThan(BigInt(earlyXid));

    await early.commitTransaction();
    await early.release();
    // A third transaction the first read cuts (3 rows at most): the round is the first two,
    // written in the opposite order of their xids, and the position must pass both.
    await dataSource.transaction((manager) =>
      enqueueOutbox(
        manager,
        [1, 2, 3].map((n) => jsonMessage(topic, 'acct_late', { late: `after ${n}` })),
      ),
    );
    let published = 0;
    await eventually(async () => {
      published += await relay.publishOnce();
      expect(await unpublished()).toBe(0);
    });
    await relay.stop();
    expect(published).toBe(5);
    const expected = ['committed first', 'committed last', 'after 1', 'after 2', 'after 3'];
    await eventually(() => expect(late()).toEqual(expected));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(late()).toEqual(expected);
  });

  it('drops a day partition past retention only once every row in it is published', async () => {
    const recorder = await client.record(topic);
    // A relay keeping ten days makes the old partitions; then one keeping three looks after them.
    const wide = new OutboxRelay(dataSource, kafka, relayOptions({ retentionDays: 10 }));
    expect(await wide.maintainPartitions()).toEqual([]);
    await wide.stop();
    const oldDay = await today(-5);
    expect(await partitionExists(oldDay)).toBe(true);
    const oldRow = (n: number) => ({
      ...jsonMessage(topic, 'acct_old', { old: n }),
      dedupe: { key: `old-${n}`, day: oldDay },
    });
    await dataSource.transaction((manager) => enqueueOutbox(manager, [oldRow(1)]));

    const relay = new OutboxRelay(dataSource, kafka, relayOptions({ retentionDays: 3 }));
    const dropped = await relay.maintainPartitions();
    // The empty old days go; the one holding an unpublished row stays.
    expect(dropped).toEqual(
      await Promise.all([-10, -9, -8, -7, -6, -4].map((offset) => today(offset))),
    );
    expect(await partitionExists(oldDay)).toBe(true);
    await settled();
    expect(await relay.publishOnce()).toBe(1);
    // Published, but a later transaction writes to the same day: still not all of it.
    await dataSource.transaction((manager) => enqueueOutbox(manager, [oldRow(2)]));
    expect(await relay.maintainPartitions()).toEqual([]);
    expect(await partitionExists(oldDay)).toBe(true);
    await settled();
    expect(await relay.publishOnce()).toBe(1);
    expect(await relay.maintainPartitions()).toEqual([oldDay]);
    await relay.stop();
    expect(await partitionExists(oldDay)).toBe(false);
    for (const offset of [-3, 0, 7]) expect(await partitionExists(await today(offset))).toBe(true);
    await eventually(() =>
      expect(recorder.json<{ old?: number }>().filter((m) => m.old !== undefined)).toEqual([
        { old: 1 },
        { old: 2 },
      ]),
    );
  });

  it('upgrades an outbox of the queue kind: its unsent rows are published once, a round Kafka had committed is not sent again', async () => {
    const legacySchema = isolation.schema('legacy');
    const name = `relay-${legacySchema}`;
    const recorder = await client.record(topic);
    const sourceWith = (migrations: Array<new () => unknown>) =>
      createDataSource({
        config: { url: isolation.databaseUrl, schema: legacySchema, poolSize: 2 },
        applicationName: 'messaging-test-legacy',
        migrations,
      });
    const before = sourceWith([
      CreateMessagingTables1763856000000,
      CreateOutboxRounds1763856000001,
    ]);
    try {
      await before.initialize();
      await runMigrations(before);
      // What the relay of the queue kind left: five rows, the first two in a round Kafka committed.
      await before.query(
        `INSERT INTO outbox (topic, message_key, value)
         SELECT $1, 'acct_legacy', json_build_object('legacy', n)::text FROM generate_series(0, 4) AS n`,
        [topic],
      );
      const sent = (await before.query(
        'SELECT id, message_key, value FROM outbox ORDER BY id LIMIT 2',
      )) as Array<{ id: string; message_key: string; value: string }>;
      const [{ round }] = await before.query(
        `INSERT INTO outbox_round (round, message_ids) VALUES (nextval('outbox_round_seq'), $1::bigint[]) RETURNING round`,
        [sent.map((row) => row.id)],
      );
      const crashed = kafka.producer({
        transactionalId: name,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await crashed.connect();
      const transaction = await crashed.transaction();
      await transaction.send({
        topic,
        messages: sent.map((row) => ({ key: row.message_key, value: row.value })),
      });
      await transaction.sendOffsets({
        consumerGroupId: name,
        topics: [{ topic: roundsTopic, partitions: [{ partition: 0, offset: String(round) }] }],
      });
      await transaction.commit();
      await crashed.disconnect();
    } finally {
      await before.destroy();
    }

    const after = sourceWith(MESSAGING_MIGRATIONS);
    try {
      await after.initialize();
      expect(await runMigrations(after)).toContain('OutboxAsLog1763856000003');
      expect(await unpublished(after)).toBe(5);
      const relay = new OutboxRelay(after, kafka, relayOptions({ name }));
      await settled(after);
      expect(await relay.publishOnce()).toBe(3);
      expect(await relay.publishOnce()).toBe(0);
      await relay.stop();
      expect(await unpublished(after)).toBe(0);
      expect(await after.query('SELECT count(*)::int AS count FROM outbox_round')).toEqual([
        { count: 0 },
      ]);
      const legacy = () =>
        recorder
          .json<{ legacy?: number }>()
          .map((m) => m.legacy)
          .filter((value): value is number => value !== undefined);
      await eventually(() => expect(legacy()).toEqual([0, 1, 2, 3, 4]));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(legacy()).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await after.destroy();
      await dropSchemas(isolation.databaseUrl, [legacySchema]);
    }
  });

  it('rebases a position another PostgreSQL cluster stored, so nothing written here is skipped', async () => {
    const recorder = await client.record(topic);
    // A schema restored into another cluster: its xids (and the position) lie above this
    // cluster's; two rows were not published yet.
    const [{ next }] = await dataSource.query(
      'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next',
    );
    const foreign = BigInt(next) + 1_000_000_000n;
    await dataSource.transaction((manager) =>
      enqueueOutbox(manager, [
        jsonMessage(topic, 'acct_restored', { restored: 'unpublished-1' }),
        jsonMessage(topic, 'acct_restored', { restored: 'unpublished-2' }),
      ]),
    );
    await dataSource.query(`UPDATE outbox SET xid = $1::xid8 WHERE value LIKE '{"restored":%'`, [
      String(foreign + 5n),
    ]);
    await dataSource.query('UPDATE outbox SET xid = $1::xid8 WHERE xid <= $1::xid8', [
      String(foreign - 5n),
    ]);
    await dataSource.query('UPDATE outbox_relay SET position = $1::xid8', [String(foreign)]);

    const relay = new OutboxRelay(dataSource, kafka, relayOptions());
    await relay.prepare();
    expect(BigInt(await position())).toBeLessThan(BigInt(next));
    expect(await unpublished()).toBe(2);
    await settled();
    expect(await relay.publishOnce()).toBe(2);
    await dataSource.transaction((manager) =>
      enqueueOutbox(manager, [jsonMessage(topic, 'acct_restored', { restored: 'written here' })]),
    );
    await settled();
    expect(await relay.publishOnce()).toBe(1);
    await relay.stop();
    expect(await unpublished()).toBe(0);
    await eventually(() =>
      expect(
        recorder
          .json<{ restored?: string }>()
          .map((m) => m.restored)
          .filter((value) => value !== undefined),
      ).toEqual(['unpublished-1', 'unpublished-2', 'written here']),
    );
  });

  it('numbers its rounds past one Kafka remembers from an earlier database, so a failed round is sent again, not taken for published', async () => {
    // The relay's group outlived its schema: Kafka says round 1,000 committed.
    const name = `relay-reborn-${schema}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({
      groupId: name,
      topic: roundsTopic,
      partitions: [{ partition: 0, offset: '1000' }],
    });
    const reborn = `outbox-reborn.${isolation.suffix}`;
    await ensureTopics(kafka, [reborn], 1, { [reborn]: { 'max.message.bytes': '1024' } });
    const recorder = await client.record(reborn);
    await dataSource.transaction((manager) =>
      enqueueOutbox(manager, [
        jsonMessage(reborn, 'acct_reborn', { reborn: 'first', padding: 'x'.repeat(2000) }),
      ]),
    );

    const relay = new OutboxRelay(dataSource, kafka, relayOptions({ name }));
    await settled();
    await expect(relay.publishOnce()).rejects.toThrow();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: reborn,
          configEntries: [{ name: 'max.message.bytes', value: '1048576' }],
        },
      ],
    });
    await admin.disconnect();
    await settled();
    // The broker applies a topic's new limit a moment after it acknowledged the change: until
    // then the round fails again, as the first did, and is sent again.
    await eventually(async () => expect(await relay.publishOnce()).toBe(1));
    await relay.stop();
    expect(
      (await recorder.waitForCount<{ reborn: string }>(1)).map((payload) => payload.reborn),
    ).toEqual(['first']);
    expect(await unpublished()).toBe(0);
  });

  it('lets one relay lead at a time when two share an outbox', async () => {
    const recorder = await client.record(topic);
    await dataSource.transaction((manager) =>
      enqueueOutbox(
        manager,
        Array.from({ length: 40 }, (_, i) => jsonMessage(topic, 'acct_shared', { shared: i })),
      ),
    );
    const relays = [1, 2].map(
      () => new OutboxRelay(dataSource, kafka, relayOptions({ batchSize: 5 })),
    );
    relays.forEach((relay) => relay.start());
    const shared = () =>
      recorder
        .json<{ shared?: number }>()
        .map((payload) => payload.shared)
        .filter((value): value is number => value !== undefined);
    await eventually(() => expect(shared().length).toBeGreaterThanOrEqual(40));
    await Promise.all(relays.map((relay) => relay.stop()));
    expect(shared()).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('a leader whose lock session ended leaves no round that a later leader takes for published', async () => {
    const recorder = await client.record(topic);
    const name = `relay-zombie-${schema}`;
    const stale = new OutboxRelay(dataSource, kafka, relayOptions({ name }));
    expect(await stale.publishOnce()).toBe(0);
    // Its leader lock's session ends (a PostgreSQL restart, a cut connection); the process goes on.
    const [{ terminated }] = await dataSource.query(
      `SELECT count(pg_terminate_backend(pid))::int AS terminated FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objsubid = 1
         AND objid = (hashtext($1)::bigint & 4294967295)::oid`,
      [name],
    );
    expect(terminated).toBe(1);
    // Another instance leads, fencing the old producer; it reads one transaction per round.
    const leader = new OutboxRelay(dataSource, kafka, relayOptions({ name, batchSize: 1 }));
    expect(await leader.publishOnce()).toBe(0);
    for (const n of [0, 1, 2])
      await dataSource.transaction((manager) =>
        enqueueOutbox(manager, [jsonMessage(topic, 'acct_zombie', { zombie: n })]),
      );
    await settled();
    // The old leader still believes it leads: it reads all three and is fenced by Kafka.
    await expect(stale.publishOnce()).rejects.toThrow();
    expect(await leader.publishOnce()).toBe(1);
    // The leader goes (a restart, a failed round); the next one settles what it finds pending.
    await leader.stop();
    const next = new OutboxRelay(dataSource, kafka, relayOptions({ name }));
    await next.publishOnce();
    await next.publishOnce();
    await next.stop();
    const zombie = () =>
      recorder
        .json<{ zombie?: number }>()
        .map((payload) => payload.zombie)
        .filter((value): value is number => value !== undefined);
    await eventually(() => expect(zombie()).toEqual([0, 1, 2]), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(zombie()).toEqual([0, 1, 2]);
    expect(await unpublished()).toBe(0);
  });

  it('holds a row Kafka refuses, and every row behind it, until the topic accepts it', async () => {
    const strict = `outbox-strict.${isolation.suffix}`;
    await ensureTopics(kafka, [strict], 1, { [strict]: { 'max.message.bytes': '1024' } });
    const recorder = await client.record(strict);
    const metric = async (name: string) =>
      (await metricsRegistry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
    const failuresBefore = await metric('tally_outbox_round_failures_total');
    await dataSource.transaction((manager) =>
      enqueueOutbox(manager, [
        jsonMessage(strict, 'acct_strict', { strict: 'too large', padding: 'x'.repeat(2000) }),
        jsonMessage(strict, 'acct_strict', { strict: 'behind it' }),
      ]),
    );
    const relay = new OutboxRelay(dataSource, kafka, relayOptions());
    relay.start();
    try {
      await eventually(
        async () =>
          expect(await metric('tally_outbox_consecutive_failures')).toBeGreaterThanOrEqual(2),
        15_000,
      );
      expect(await metric('tally_outbox_round_failures_total')).toBeGreaterThanOrEqual(
        failuresBefore + 2,
      );
      expect(await unpublished()).toBe(2);
      expect(recorder.messages).toHaveLength(0);

      // The remedy is the topic's limit, not the row: once Kafka accepts it, both go out, in order.
      const admin = kafka.admin();
      await admin.connect();
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: strict,
            configEntries: [{ name: 'max.message.bytes', value: '1048576' }],
          },
        ],
      });
      await admin.disconnect();
      const published = await recorder.waitForCount<{ strict: string }>(2);
      expect(published.map((payload) => payload.strict)).toEqual(['too large', 'behind it']);
      await eventually(async () =>
        expect(await metric('tally_outbox_consecutive_failures')).toBe(0),
      );
    } finally {
      await relay.stop();
    }
    expect(await unpublished()).toBe(0);
  });
});
