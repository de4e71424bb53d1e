import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { Topics } from '@tally/budget-domain';
import { KafkaTestClient, dropSchemas, eventually, isolate } from '@tally/testing';
import type { MessagingService, OutboxTransaction } from '../src';
import { decodeNumbered, startInstance } from './service-instance';
import type { Numbered, ServiceInstance } from './service-instance';

/**
 * A consumer whose effect keeps the latest state by sequence ignores an old record by itself:
 * its inbox ids only cover redeliveries, so they are kept for INBOX_RETENTION_DAYS, not for ever
 * (ADR 0135). So are the ids of a consumer whose effect keeps its own (`appliedIds`): its inbox
 * only claims the records it dead-lettered, by log position. A consumer that counts what it
 * applies by its inbox (a payment) keeps every id.
 */
describe('an inbox of latest states forgets its ids past the retention', () => {
  const isolation = isolate();
  const schema = isolation.schema('inbox_retention');
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  let instance: ServiceInstance;
  let dataSource: DataSource;
  let messaging: MessagingService;

  beforeAll(async () => {
    instance = await startInstance(isolation, {
      service: 'messaging',
      schema,
      applicationName: 'inbox-retention-test',
      topics: ['states', 'payments', 'usage', Topics.UsageDeadLetter],
      kafka: { inboxRetentionDays: 7 },
    });
    ({ dataSource, messaging } = instance);
    for (const table of ['latest', 'counted'])
      await dataSource.query(`CREATE TABLE ${table} (id text PRIMARY KEY, n int NOT NULL)`);
    await client.connect();
  });

  afterAll(async () => {
    await instance?.stop();
    await client.close();
    await client.deleteTopics(isolation.suffix);
    await dropSchemas(isolation.databaseUrl, [schema]);
  });

  const store =
    (table: 'latest' | 'counted') => async (values: Numbered[], tx: OutboxTransaction) => {
      for (const value of values)
        await tx.manager.query(`INSERT INTO ${table} (id, n) VALUES ($1, $2)`, [value.id, value.n]);
    };
  const inboxIds = async (consumer: string) =>
    (
      (await dataSource.query('SELECT message_id FROM inbox WHERE consumer = $1 ORDER BY 1', [
        consumer,
      ])) as Array<{ message_id: string }>
    ).map((row) => row.message_id);
  /** Ids received `days` ago, as a year of traffic would have left them. */
  const receivedDaysAgo = (consumer: string, ids: string[], days: number) =>
    dataSource.query(
      `INSERT INTO inbox (consumer, message_id, received_at)
       SELECT $1, id, now() - make_interval(days => $3) FROM unnest($2::text[]) AS id`,
      [consumer, ids, days],
    );

  it('deletes the ids of a latest-state consumer older than 7 days, keeps the younger and every id of the others', async () => {
    await messaging.consumeTransactionally<Numbered>({
      topic: 'states',
      decode: decodeNumbered,
      idOf: (value) => value.id,
      appliesLatestBySequence: true,
      effect: store('latest'),
    });
    await messaging.consumeTransactionally<Numbered>({
      topic: 'payments',
      decode: decodeNumbered,
      idOf: (value) => value.id,
      effect: store('counted'),
    });
    for (const topic of ['states', 'payments'])
      await client.produce(messaging.topic(topic), [
        { key: 'acct_1', value: JSON.stringify({ id: `${topic}-new-1`, n: 1 }) },
        { key: 'acct_1', value: JSON.stringify({ id: `${topic}-new-2`, n: 2 }) },
      ]);
    await eventually(async () => {
      expect(await inboxIds('states')).toHaveLength(2);
      expect(await inboxIds('payments')).toHaveLength(2);
    }, 30_000);
    await receivedDaysAgo('states', ['states-old-1', 'states-old-2', 'states-old-3'], 8);
    await receivedDaysAgo('states', ['states-week-old'], 6);
    await receivedDaysAgo('payments', ['payments-old-1', 'payments-old-2', 'payments-old-3'], 8);

    expect(await messaging.forgetOldInboxIds()).toBe(3);

    expect(await inboxIds('states')).toEqual(['states-new-1', 'states-new-2', 'states-week-old']);
    expect(await inboxIds('payments')).toEqual([
      'payments-new-1',
      'payments-new-2',
      'payments-old-1',
      'payments-old-2',
      'payments-old-3',
    ]);
  }, 60_000);

  it('deletes the old dead-letter claims of a consumer whose effect keeps its own ids (appliedIds)', async () => {
    await messaging.consumeTransactionally<Numbered>({
      topic: 'usage',
      decode: decodeNumbered,
      idOf: (value) => value.id,
      // The effect's rows are its record of what it applied; the inbox only claims dead letters.
      appliedIds: async (values, tx) => {
        const rows: Array<{ id: string }> = await tx.manager.query(
          'SELECT id FROM counted WHERE id = ANY($1)',
          [values.map((value) => value.id)],
        );
        return new Set(rows.map((row) => row.id));
      },
      effect: store('counted'),
    });
    await client.produce(messaging.topic('usage'), [
      { key: 'acct_1', value: JSON.stringify({ id: 'usage-1', n: 1 }) },
      { key: 'acct_1', value: 'not json' },
    ]);
    await eventually(async () => expect(await inboxIds('usage')).toHaveLength(1), 30_000);
    await receivedDaysAgo('usage', ['usage/0/7@1', 'usage/0/8@1'], 8);

    expect(await messaging.forgetOldInboxIds()).toBe(2);

    expect(await inboxIds('usage')).toHaveLength(1);
    expect(await dataSource.query("SELECT id FROM counted WHERE id = 'usage-1'")).toHaveLength(1);
  }, 60_000);

  it('lets one instance at a time delete: another finds the retention running and deletes nothing', async () => {
    await receivedDaysAgo('states', ['states-old-4', 'states-old-5'], 9);
    const otherInstance = new Client({ connectionString: isolation.databaseUrl });
    await otherInstance.connect();
    try {
      await otherInstance.query('BEGIN');
      await otherInstance.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `tally.inbox-retention.${schema}`,
      ]);
      expect(await messaging.forgetOldInboxIds()).toBe(0);
      await otherInstance.query('COMMIT');
    } finally {
      await otherInstance.end();
    }
    expect(await inboxIds('states')).toContain('states-old-5');

    expect(await messaging.forgetOldInboxIds()).toBe(2);
    expect(await inboxIds('states')).not.toContain('states-old-5');
  }, 60_000);
});
