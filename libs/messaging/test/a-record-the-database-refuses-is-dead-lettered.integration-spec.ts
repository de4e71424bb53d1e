import { Topics } from '@tally/budget-domain';
import type { DeadLetterRecord } from '@tally/budget-domain';
import { KafkaTestClient, dropSchemas, eventually, isolate } from '@tally/testing';
import type { OutboxTransaction, TransactionalConsumer } from '../src';
import { numberedConsumer, sleep, startInstance } from './service-instance';
import type { ExactlyOnceMode as Mode, Numbered, ServiceInstance } from './service-instance';

/**
 * A record that decodes but that the effect's database refuses for good (a check constraint, a
 * numeric overflow) is bad input, not a fault: DESIGN 6 has it dead-lettered with a reason, and
 * the records of its slice and behind it applied (DESIGN 3.1: never stop the partition).
 */
describe('a record the database refuses is dead-lettered, and the records around it are applied', () => {
  const isolation = isolate();
  const schema = isolation.schema('refused');
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  let instance: ServiceInstance;

  beforeAll(async () => {
    instance = await startInstance(isolation, {
      service: 'refused',
      schema,
      applicationName: 'refused-test',
      topics: [
        'refused-by-inbox',
        'refused-by-effect',
        'refused-by-position',
        Topics.UsageDeadLetter,
      ],
    });
    // An amount as the services store money: bounded, and never below zero here.
    await instance.dataSource.query(
      `CREATE TABLE amounts (mode text NOT NULL, id text NOT NULL,
         amount numeric(8, 2) NOT NULL CHECK (amount >= 0), PRIMARY KEY (mode, id))`,
    );
    await client.connect();
  });

  afterAll(async () => {
    await instance?.stop();
    await client.close();
    await client.deleteTopics(isolation.suffix);
    await dropSchemas(isolation.databaseUrl, [schema]);
  });

  const consumerOf = (mode: Mode): TransactionalConsumer<Numbered> => {
    const topic = `refused-${mode}`;
    const effect = async (values: Numbered[], tx: OutboxTransaction) => {
      await tx.manager.query(
        `INSERT INTO amounts (mode, id, amount)
         SELECT $1, id, amount FROM unnest($2::text[], $3::numeric[]) AS v(id, amount)`,
        [mode, values.map((value) => value.id), values.map((value) => String(value.n))],
      );
    };
    return numberedConsumer(topic, mode, effect, async (ids, tx) => {
      const rows: Array<{ id: string }> = await tx.manager.query(
        'SELECT id FROM amounts WHERE mode = $1 AND id = ANY($2::text[])',
        [mode, ids],
      );
      return new Set(rows.map((row) => row.id));
    });
  };

  const amounts = async (mode: Mode) =>
    (await instance.dataSource.query(
      'SELECT id, amount::text AS amount FROM amounts WHERE mode = $1 ORDER BY id',
      [mode],
    )) as Array<{ id: string; amount: string }>;

  it.each<Mode>(['by-inbox', 'by-effect', 'by-position'])(
    '%s: a check constraint and a numeric overflow are dead-lettered with the reason; the rest is applied once',
    async (mode) => {
      const topic = instance.messaging.topic(`refused-${mode}`);
      const deadLetters = await client.record(instance.messaging.topic(Topics.UsageDeadLetter));
      await instance.messaging.consumeTransactionally(consumerOf(mode));
      // One slice: two good records around two the database refuses.
      await client.produce(
        topic,
        [
          { id: 'a', n: 1.5 },
          { id: 'negative', n: -1 },
          { id: 'b', n: 2 },
          { id: 'overflow', n: 10_000_000 },
          { id: 'c', n: 3 },
        ].map((record) => ({ key: 'acct_1', value: JSON.stringify(record) })),
      );
      await eventually(
        async () =>
          expect(await amounts(mode)).toEqual([
            { id: 'a', amount: '1.50' },
            { id: 'b', amount: '2.00' },
            { id: 'c', amount: '3.00' },
          ]),
        60_000,
      );
      // The partition goes on.
      await client.produce(topic, [{ key: 'acct_1', value: JSON.stringify({ id: 'd', n: 4 }) }]);
      await eventually(async () => expect(await amounts(mode)).toHaveLength(4), 30_000);

      const mine = () =>
        deadLetters
          .json<DeadLetterRecord>()
          .filter((record) => record.source_topic === topic)
          .map((record) => ({
            id: (JSON.parse(Buffer.from(record.value ?? '', 'base64').toString()) as Numbered).id,
            offset: record.offset,
            reason: record.reason,
            error: record.error,
            service: record.service,
          }));
      await eventually(() => expect(mine()).toHaveLength(2), 30_000);
      await sleep(1_000);
      expect(mine()).toEqual([
        {
          id: 'negative',
          offset: '1',
          reason: 'schema_violation',
          error: expect.stringMatching(
            /^rejected by the database: .*check constraint "amounts_amount_check".*\(SQLSTATE 23514\)$/,
          ),
          service: 'refused',
        },
        {
          id: 'overflow',
          offset: '3',
          reason: 'schema_violation',
          error: expect.stringMatching(
            /^rejected by the database: numeric field overflow.*\(SQLSTATE 22003\)$/,
          ),
          service: 'refused',
        },
      ]);
      expect(await amounts(mode)).toEqual([
        { id: 'a', amount: '1.50' },
        { id: 'b', amount: '2.00' },
        { id: 'c', amount: '3.00' },
        { id: 'd', amount: '4.00' },
      ]);
    },
  );
});
