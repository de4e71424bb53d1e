import { Logger } from '@nestjs/common';
import { Partitioners } from 'kafkajs';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource, QueryRunner } from 'typeorm';
import { counter, gauge, histogram } from '@tally/platform';

export interface OutboxRelayOptions {
  /** Rows published per round at most; a full round is followed at once by the next. */
  readonly batchSize: number;
  /**
   * Payload bytes per round at most (a row larger than this goes alone). Kafka refuses a
   * record batch above the broker's message.max.bytes (1 MB by default), so a backlog must
   * never be sent as one huge batch.
   */
  readonly maxBatchBytes: number;
  /** How long an idle relay sleeps when nothing nudges it. */
  readonly idleDelayMs: number;
  /**
   * The relay's identity, shared by the instances of one service: the leader lock, the
   * Kafka transactional id and the group under which committed rounds are recorded.
   */
  readonly name: string;
  /** A one-partition topic; the group `name`'s committed offset on it is the last round Kafka committed. */
  readonly roundsTopic: string;
  /** The leader vacuums the outbox after deleting this many rows (see `vacuumIfDue`). */
  readonly vacuumEveryRows: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string | null;
  value: string;
}

const published = counter('tally_outbox_published_total', 'Messages the outbox relay published', [
  'topic',
]);
const roundSize = histogram(
  'tally_outbox_round_size',
  'Rows per published outbox round',
  [],
  [1, 10, 100, 500, 1000, 2000, 5000],
);
const vacuums = counter('tally_outbox_vacuums_total', 'VACUUMs of the outbox run by its relay');
const roundFailures = counter(
  'tally_outbox_round_failures_total',
  'Outbox rounds that failed (retried with backoff)',
);
const failingRounds = gauge(
  'tally_outbox_consecutive_failures',
  'Outbox rounds failed in a row; above 0, nothing behind the failing row is published',
);
const roundSeconds = histogram(
  'tally_outbox_round_duration_seconds',
  'Time to publish one outbox round',
  [],
  [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
);

/**
 * Publishes committed outbox rows exactly once. One instance per service leads (a session
 * advisory lock); it numbers each round and records the round's row ids in `outbox_round`
 * before sending, then sends the rows and marks the round as the group offset in one Kafka
 * transaction, then deletes the rows. After a crash the new leader fences the old producer
 * (same transactional id) and asks Kafka whether the pending round committed: if it did,
 * its rows are deleted without sending them again; if not, they go out in a new round.
 * Consumers read committed records only (kafkajs' default). A row Kafka refuses fails every
 * round until its topic accepts it: order comes before progress, and nothing is dropped.
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private nudged = false;
  private leaderLock: QueryRunner | undefined;
  private producer: Producer | undefined;
  private recovered = false;
  private deletedSinceVacuum = 0;
  private vacuuming: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly kafka: Kafka,
    private readonly options: OutboxRelayOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Wakes an idle relay: called after a transaction that wrote to the outbox commits. */
  nudge(): void {
    if (this.wake) this.wake();
    else this.nudged = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loop;
    await this.resign();
  }

  /** Publishes one round; returns how many rows went out (0 when another instance leads). */
  async publishOnce(): Promise<number> {
    const producer = await this.lead();
    if (!producer) return 0;
    try {
      if (!this.recovered) await this.recoverPendingRound();
      return await this.publishRound(producer);
    } catch (error) {
      await this.resign();
      throw error;
    }
  }

  private async publishRound(producer: Producer): Promise<number> {
    const rows: OutboxRow[] = await this.dataSource.query(
      `SELECT id, topic, message_key, value FROM (
         SELECT id, topic, message_key, value,
                sum(octet_length(value)) OVER (ORDER BY id) AS running_bytes,
                row_number() OVER (ORDER BY id) AS position
         FROM (SELECT * FROM outbox ORDER BY id LIMIT $1) AS head
       ) AS sized
       WHERE running_bytes <= $2 OR position = 1
       ORDER BY id`,
      [this.options.batchSize, this.options.maxBatchBytes],
    );
    if (rows.length === 0) return 0;
    const stopTimer = roundSeconds.startTimer();
    const ids = rows.map((row) => row.id);
    const [{ round }]: Array<{ round: string }> = await this.dataSource.query(
      `INSERT INTO outbox_round (round, message_ids) VALUES (nextval('outbox_round_seq'), $1::bigint[]) RETURNING round`,
      [ids],
    );
    this.recovered = false;
    const transaction = await producer.transaction();
    try {
      await transaction.sendBatch({ acks: -1, topicMessages: groupByTopic(rows) });
      await transaction.sendOffsets({
        consumerGroupId: this.options.name,
        topics: [
          { topic: this.options.roundsTopic, partitions: [{ partition: 0, offset: round }] },
        ],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
    await this.forgetRound(round, ids);
    this.recovered = true;
    stopTimer();
    this.vacuumIfDue(rows.length);
    roundSize.observe(rows.length);
    for (const row of rows) published.inc({ topic: row.topic });
    return rows.length;
  }

  /**
   * Settles a round left by a crash: deleted if Kafka committed it, else sent again later.
   * Kafka may also remember rounds this database never numbered: the group outlives a schema
   * dropped and made again (or a database restored from an older backup). New rounds are then
   * numbered past the remembered one, or a round that failed would pass for published.
   */
  private async recoverPendingRound(): Promise<void> {
    const committed = await this.committedRound();
    if (committed !== null) {
      await this.dataSource.query(
        `SELECT setval('outbox_round_seq', $1::bigint) FROM outbox_round_seq
         WHERE $1::bigint > CASE WHEN is_called THEN last_value ELSE last_value - 1 END`,
        [committed],
      );
    }
    const pending: Array<{ round: string; message_ids: string[] }> = await this.dataSource.query(
      'SELECT round, message_ids FROM outbox_round ORDER BY round',
    );
    if (pending.length > 0) {
      for (const { round, message_ids: ids } of pending) {
        const wasCommitted = committed !== null && BigInt(committed) >= BigInt(round);
        await this.forgetRound(round, wasCommitted ? ids : []);
        this.logger.warn(
          `outbox round ${round} (${ids.length} rows) ${wasCommitted ? 'had been published' : 'is sent again'}`,
        );
      }
    }
    this.recovered = true;
  }

  private async forgetRound(round: string, publishedIds: string[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (publishedIds.length > 0)
        await manager.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [publishedIds]);
      await manager.query('DELETE FROM outbox_round WHERE round = $1', [round]);
    });
  }

  private async committedRound(): Promise<string | null> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({
        groupId: this.options.name,
        topics: [this.options.roundsTopic],
      });
      const offset = topic?.partitions.find((partition) => partition.partition === 0)?.offset;
      return offset === undefined || offset === '-1' ? null : offset;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Becomes the leader if no other instance is: holds a session lock and a fenced producer,
   * which it returns (undefined while another instance leads).
   */
  private async lead(): Promise<Producer | undefined> {
    if (this.leaderLock) return this.producer;
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    const [{ locked }]: Array<{ locked: boolean }> = await lock.query(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
      [this.options.name],
    );
    if (!locked) {
      await lock.release();
      return undefined;
    }
    this.leaderLock = lock;
    const producer = this.kafka.producer({
      transactionalId: this.options.name,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.producer = producer;
    await producer.connect();
    // The first transaction registers this producer: a previous leader's open transaction is aborted, the leader fenced.
    await (await producer.transaction()).abort();
    this.recovered = false;
    return producer;
  }

  /**
   * The outbox is a queue: every row is inserted once and deleted once. Its dead rows sit at
   * the low end of the id index, where every round's `ORDER BY id` scan starts, so each
   * round gets slower until a VACUUM removes them (a test: 200,000 dead rows made the scan
   * touch 576 pages instead of 25). Autovacuum may be off, or wait for a fifth of the table
   * to be dead; the leader does not rely on it, and vacuums its own queue on its lock
   * connection, in the background, every `vacuumEveryRows` deleted rows.
   */
  private vacuumIfDue(deleted: number): void {
    this.deletedSinceVacuum += deleted;
    const connection = this.leaderLock;
    if (this.deletedSinceVacuum < this.options.vacuumEveryRows || this.vacuuming || !connection)
      return;
    this.deletedSinceVacuum = 0;
    this.vacuuming = connection
      .query('VACUUM outbox, outbox_round')
      .then(() => vacuums.inc())
      .catch((error: unknown) =>
        this.logger.warn(
          `outbox vacuum failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
      .finally(() => (this.vacuuming = undefined));
  }

  private async resign(): Promise<void> {
    await this.vacuuming;
    const lock = this.leaderLock;
    const producer = this.producer;
    this.leaderLock = undefined;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
    if (lock) {
      await lock
        .query('SELECT pg_advisory_unlock(hashtext($1))', [this.options.name])
        .catch(() => undefined);
      await lock.release().catch(() => undefined);
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let count = 0;
      try {
        count = await this.publishOnce();
        failures = 0;
      } catch (error) {
        failures += 1;
        roundFailures.inc();
        this.logger.error(
          `outbox relay round failed (attempt ${failures}): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      failingRounds.set(failures);
      if (count === 0) {
        await this.sleep(
          failures > 0 ? Math.min(5000, 100 * 2 ** failures) : this.options.idleDelayMs,
        );
      }
    }
  }

  /** Sleeps until the delay passes or a nudge arrives; a nudge during a round is not lost. */
  private sleep(ms: number): Promise<void> {
    if (this.nudged) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

function groupByTopic(rows: OutboxRow[]) {
  const byTopic = new Map<string, Array<{ key: string | null; value: string }>>();
  for (const row of rows) {
    let messages = byTopic.get(row.topic);
    if (!messages) byTopic.set(row.topic, (messages = []));
    messages.push({ key: row.message_key, value: row.value });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
