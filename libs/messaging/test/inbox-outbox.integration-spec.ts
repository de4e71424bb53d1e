import { ConfigResourceTypes, Kafka, Partitioners, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@tally/persistence';
import { metricsRegistry } from '@tally/platform';
import { KafkaTestClient, dropSchemas, eventually, isolate } from '@tally/testing';
import { MESSAGING_MIGRATIONS, OutboxRelay, ensureTopics } from '../src';
// The inbox and outbox primitives themselves; services reach them only through MessagingService.
import { claimInbox, claimNew } from '../src/inbox';
import { enqueueOutbox, jsonMessage } from '../src/outbox';

describe('inbox and outbox on the real database and broker', () => {
  const isolation = isolate();
  const schema = isolation.schema('messaging');
  const topic = `outbox-test.${isolation.suffix}`;
  const roundsTopic = `outbox-rounds.${isolation.suffix}`;
  const relayOptions = (
    overrides: {
      batchSize?: number;
      maxBatchBytes?: number;
      vacuumEveryRows?: number;
      name?: string;
    } = {},
  ) => ({
    batchSize: 1000,
    maxBatchBytes: 1_000_000,
    idleDelayMs: 10,
    vacuumEveryRows: 20_000,
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

  it('publishes committed outbox rows in order, per key, and empties the outbox', async () => {
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
    await eventually(async () => {
      const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM outbox');
      expect(count).toBe(0);
    });
  });

  it('splits a backlog larger than a Kafka request into rounds, and sends an oversized row alone', async () => {
    const recorder = await client.record(topic);
    const relay = new OutboxRelay(dataSource, kafka, relayOptions({ maxBatchBytes: 50_000 }));
    const padding = 'x'.repeat(20_000);
    await dataSource.transaction((manager) =>
      enqueueOutbox(
        manager,
        Array.from({ length: 6 }, (_, i) => jsonMessage(topic, 'acct_big', { big: i, padding })),
      ),
    );
    expect(await relay.publishOnce()).toBe(2);
    expect(await relay.publishOnce()).toBe(2);
    expect(await relay.publishOnce()).toBe(2);
    expect(await relay.publishOnce()).toBe(0);
    await dataSource.transaction((manager) =>
      enqueueOutbox(manager, [
        jsonMessage(topic, 'acct_big', { big: 6, padding: 'y'.repeat(60_000) }),
      ]),
    );
    expect(await relay.publishOnce()).toBe(1);
    await relay.stop();
    await eventually(() =>
      expect(recorder.json<{ big?: number }>().filter((m) => m.big !== undefined)).toHaveLength(7),
    );
  });

  it('vacuums the outbox after every vacuumEveryRows deleted rows, so dead rows do not pile up', async () => {
    const recorder = await client.record(topic);
    const relay = new OutboxRelay(
      dataSource,
      kafka,
      relayOptions({ batchSize: 40, vacuumEveryRows: 100 }),
    );
    const vacuumCount = async (): Promise<number> => {
      const [row] = await dataSource.query(
        `SELECT vacuum_count::int AS count FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'outbox'`,
        [schema],
      );
      return row.count;
    };
    const before = await vacuumCount();
    await dataSource.transaction((manager) =>
      enqueueOutbox(
        manager,
        Array.from({ length: 120 }, (_, i) => jsonMessage(topic, 'acct_vacuum', { vacuum: i })),
      ),
    );
    // Rounds of 40: the third round brings the deleted rows to 120, past 100.
    for (let round = 0; round < 3; round += 1) expect(await relay.publishOnce()).toBe(40);
    await relay.stop();
    await eventually(async () => expect(await vacuumCount()).toBe(before + 1));
    await eventually(() =>
      expect(
        recorder.json<{ vacuum?: number }>().filter((m) => m.vacuum !== undefined),
      ).toHaveLength(120),
    );
  });

  it('a new leader does not send again a round Kafka committed before the crash, and sends one it did not', async () => {
    const recorder = await client.record(topic);
    const rows = (tag: string) =>
      Array.from({ length: 3 }, (_, i) =>
        jsonMessage(topic, 'acct_crash', { crash: `${tag}-${i}` }),
      );
    // A round the crashed leader sent and committed in Kafka, but never deleted from the outbox.
    await dataSource.transaction((manager) => enqueueOutbox(manager, rows('committed')));
    const committedIds = (await dataSource.query('SELECT id FROM outbox ORDER BY id')).map(
      (row: { id: string }) => row.id,
    );
    const [{ round }] = await dataSource.query(
      `INSERT INTO outbox_round (round, message_ids) VALUES (nextval('outbox_round_seq'), $1::bigint[]) RETURNING round`,
      [committedIds],
    );
    const crashed = kafka.producer({
      transactionalId: `relay-${schema}`,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await crashed.connect();
    const transaction = await crashed.transaction();
    const pending = (await dataSource.query(
      'SELECT message_key, value FROM outbox ORDER BY id',
    )) as Array<{ message_key: string; value: string }>;
    await transaction.send({
      topic,
      messages: pending.map((row) => ({ key: row.message_key, value: row.value })),
    });
    await transaction.sendOffsets({
      consumerGroupId: `relay-${schema}`,
      topics: [{ topic: roundsTopic, partitions: [{ partition: 0, offset: String(round) }] }],
    });
    await transaction.commit();
    await crashed.disconnect();
    // A round recorded but never committed in Kafka.
    await dataSource.transaction((manager) => enqueueOutbox(manager, rows('uncommitted')));
    const uncommittedIds = (
      await dataSource.query(
        'SELECT id FROM outbox WHERE NOT (id = ANY($1::bigint[])) ORDER BY id',
        [committedIds],
      )
    ).map((row: { id: string }) => row.id);
    await dataSource.query(
      `INSERT INTO outbox_round (round, message_ids) VALUES (nextval('outbox_round_seq'), $1::bigint[])`,
      [uncommittedIds],
    );

    const relay = new OutboxRelay(dataSource, kafka, relayOptions());
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
    expect(await dataSource.query('SELECT count(*)::int AS count FROM outbox')).toEqual([
      { count: 0 },
    ]);
    expect(await dataSource.query('SELECT count(*)::int AS count FROM outbox_round')).toEqual([
      { count: 0 },
    ]);
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
    expect(await relay.publishOnce()).toBe(1);
    await relay.stop();
    expect(
      (await recorder.waitForCount<{ reborn: string }>(1)).map((payload) => payload.reborn),
    ).toEqual(['first']);
    expect(await dataSource.query('SELECT count(*)::int AS count FROM outbox')).toEqual([
      { count: 0 },
    ]);
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

  it('holds a row Kafka refuses, and every row behind it, until the topic accepts it', async () => {
    const strict = `outbox-strict.${isolation.suffix}`;
    await ensureTopics(kafka, [strict], 1, { [strict]: { 'max.message.bytes': '1024' } });
    const recorder = await client.record(strict);
    const metric = async (name: string) =>
      (await metricsRegistry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
    const outboxRows = async () =>
      ((await dataSource.query('SELECT count(*)::int AS n FROM outbox')) as Array<{ n: number }>)[0]
        ?.n;
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
      expect(await outboxRows()).toBe(2);
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
    expect(await outboxRows()).toBe(0);
  });
});
