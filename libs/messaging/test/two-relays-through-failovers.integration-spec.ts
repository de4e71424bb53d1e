import { Kafka, logLevel } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@tally/persistence';
import { KafkaTestClient, dropSchemas, eventually, isolate } from '@tally/testing';
import { MESSAGING_MIGRATIONS, OutboxRelay, ensureTopics } from '../src';
import { OUTBOX_PACK_BYTES, enqueueOutbox, jsonMessage } from '../src/outbox';
import { sleep } from './service-instance';

/**
 * Two instances of a service each run the outbox relay on one outbox while transactions keep
 * writing to it, and PostgreSQL keeps ending the relays' sessions, as a failover or a restart
 * does: the leader's lock session (another instance takes the lock and fences the producer),
 * or every session of one instance, or of both. Every message must reach Kafka once, in order
 * per key: consumers that recognise repeats by position (alerting, admin) have no inbox to
 * forgive a copy.
 */
describe('two outbox relays racing through failovers', () => {
  const isolation = isolate();
  const schema = isolation.schema('relays');
  const topic = `relays-race.${isolation.suffix}`;
  const name = `relay-race-${schema}`;
  const kafka = new Kafka({
    clientId: 'relays-race-test',
    brokers: isolation.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const client = new KafkaTestClient(isolation.kafkaBrokers);
  const sources: DataSource[] = [];

  const connect = async (applicationName: string) => {
    const dataSource = createDataSource({
      config: { url: isolation.databaseUrl, schema, poolSize: 3 },
      applicationName,
      migrations: MESSAGING_MIGRATIONS,
    });
    await dataSource.initialize();
    sources.push(dataSource);
    return dataSource;
  };

  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy()));
    await client.close();
    await client.deleteTopics(isolation.suffix);
    await dropSchemas(isolation.databaseUrl, [schema]);
  });

  it('publishes every message once, in order per key, whichever relay leads after each failover', async () => {
    const writer = await connect('relays-writer');
    await runMigrations(writer);
    await ensureTopics(kafka, [topic], 3);
    await ensureTopics(kafka, [`relays-rounds.${isolation.suffix}`], 1);
    await client.connect();
    const recorder = await client.record(topic);
    const relays = await Promise.all(
      ['relays-a', 'relays-b'].map(
        async (applicationName) =>
          new OutboxRelay(await connect(applicationName), kafka, {
            // Small rounds: many of them are cut by a failover.
            batchSize: 7,
            maxBatchBytes: 768 * 1024,
            maxRoundBytes: 768 * 1024,
            idleDelayMs: 50,
            waitingDelayMs: 10,
            retentionDays: 2,
            partitionsAheadDays: 7,
            partitionDays: 1,
            maintenanceEveryMs: 3600_000,
            name,
            roundsTopic: `relays-rounds.${isolation.suffix}`,
          }),
      ),
    );
    await relays[0]!.prepare();
    relays.forEach((relay) => relay.start());

    const keys = Array.from({ length: 8 }, (_, i) => `acct_${i}`);
    const written = new Map(keys.map((key) => [key, 0]));
    const transactions = 1500;
    const writing = (async () => {
      for (let t = 0; t < transactions; t += 1) {
        await writer.transaction((manager) => {
          const messages = Array.from({ length: 1 + (t % 4) }, (_, i) => {
            const key = keys[(t + i * 3) % keys.length]!;
            const seq = written.get(key)!;
            written.set(key, seq + 1);
            return jsonMessage(topic, key, { key, seq });
          });
          return enqueueOutbox(manager, messages, { packBytes: OUTBOX_PACK_BYTES });
        });
        if (t % 5 === 0) await sleep(10);
      }
    })();

    // Failovers: the leader's lock session, then all of one instance's sessions, then all of both.
    const terminate = (where: string, params: unknown[]) =>
      writer.query(
        `SELECT count(pg_terminate_backend(pid))::int AS ended FROM pg_stat_activity WHERE ${where}`,
        params,
      ) as Promise<Array<{ ended: number }>>;
    let failovers = 0;
    let leaderSessionsEnded = 0;
    let done = false;
    const failing = (async () => {
      while (!done) {
        await sleep(100 + (failovers % 7) * 50);
        const kind = failovers % 3;
        if (kind === 0) {
          const [{ ended }] = await terminate(
            `pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
               AND objsubid = 1 AND objid = (hashtext($1)::bigint & 4294967295)::oid)`,
            [name],
          );
          leaderSessionsEnded += ended;
        } else if (kind === 1) {
          await terminate('application_name = $1', [failovers % 2 ? 'relays-a' : 'relays-b']);
        } else {
          await terminate(`application_name IN ('relays-a', 'relays-b')`, []);
        }
        failovers += 1;
      }
    })();
    await writing;
    await sleep(3_000);
    done = true;
    await failing;

    const total = [...written.values()].reduce((sum, count) => sum + count, 0);
    const arrived = () => recorder.json<{ key: string; seq: number }>();
    await eventually(() => expect(arrived().length).toBeGreaterThanOrEqual(total), 120_000, 500);
    await Promise.all(relays.map((relay) => relay.stop()));
    await sleep(2_000);

    expect(failovers).toBeGreaterThanOrEqual(9);
    expect(leaderSessionsEnded).toBeGreaterThanOrEqual(1);
    expect(arrived()).toHaveLength(total);
    for (const key of keys) {
      const sequence = arrived()
        .filter((message) => message.key === key)
        .map((message) => message.seq);
      expect(sequence).toEqual(Array.from({ length: written.get(key)! }, (_, i) => i));
    }
  });
});
