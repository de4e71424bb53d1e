import { Logger } from '@nestjs/common';
import { Partitioners } from 'kafkajs';
import type { Kafka, PartitionOffset, Producer, Transaction } from 'kafkajs';
import type { DataSource, QueryRunner } from 'typeorm';
import { counter, gauge, histogram } from '@tally/platform';
import { listen, notify } from '@tally/persistence';
import { messagesOf, outboxHasRowsAfter, readOutboxHead } from './outbox-head';
import type { OutboxRow, RelayedMessage, RoundHead } from './outbox-head';
import { OutboxPartitions } from './outbox-partitions';

export interface OutboxRelayOptions {
  /**
   * Rows read per round at most. A round holds whole transactions only; a transaction with
   * more rows goes out alone, read in slices of this size, inside one Kafka transaction.
   */
  readonly batchSize: number;
  /**
   * Payload bytes per produce call at most (a row larger than this goes alone). Kafka refuses a
   * record batch above the broker's message.max.bytes (1 MB by default), so a round is sent as
   * several produce calls when it holds more.
   */
  readonly maxBatchBytes: number;
  /** Payload bytes read per round (or per slice of a larger transaction) at most: the relay's memory. */
  readonly maxRoundBytes: number;
  /**
   * How long a relay sleeps when nothing follows its position and nothing wakes it: its own
   * writes nudge it, and other instances' writes notify the leader (ADR 0052).
   */
  readonly idleDelayMs: number;
  /**
   * How soon a relay looks again while rows follow its position that it may not publish yet:
   * their transactions ended after an older one that is still running.
   */
  readonly waitingDelayMs: number;
  /**
   * The relay's identity, shared by the instances of one service: the leader lock, the
   * Kafka transactional id and the group under which committed rounds are recorded.
   */
  readonly name: string;
  /** A one-partition topic; the group `name`'s committed offset on it is the last round Kafka committed. */
  readonly roundsTopic: string;
  /** Days the outbox keeps a day's partition after that day (ADR 0040). */
  readonly retentionDays: number;
  /** Days ahead of today that always have a partition. */
  readonly partitionsAheadDays: number;
  /** Days per partition (1; metering's, which keeps many days, 7). */
  readonly partitionDays: number;
  /** How often the leader creates and drops partitions. */
  readonly maintenanceEveryMs: number;
}

/** Where an instance that does not lead tells the leader it wrote rows (payload: the relay's name). */
const WROTE_CHANNEL = 'tally_outbox_wrote';

const published = counter('tally_outbox_published_total', 'Messages the outbox relay published', [
  'topic',
]);
const roundSize = histogram(
  'tally_outbox_round_size',
  'Messages per published outbox round',
  [],
  // A round reads at most `batchSize` rows, but a packed row carries many messages (ADR 0049).
  [1, 10, 100, 500, 1000, 2000, 5000, 10000, 20000],
);
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
const heldSeconds = gauge(
  'tally_outbox_held_seconds',
  'Seconds rows after the position have waited behind a transaction still running in the cluster (ADR 0040); 0 when none wait',
);
const partitionsDropped = counter(
  'tally_outbox_partitions_dropped_total',
  'Day partitions of the outbox dropped once published and past retention',
);

/**
 * Publishes committed outbox rows exactly once, in the order of their transactions (ADR 0040).
 * The outbox is a log: the relay reads the rows of transactions that have ended (xid below the
 * oldest running transaction, so none can appear behind its position later), publishes whole
 * transactions, and remembers the last xid published instead of deleting rows. One instance
 * per service leads (a session advisory lock); it numbers each round and records it in
 * `outbox_round` before sending, sends the rows and marks the round as the group offset in one
 * Kafka transaction, then moves its position. After a crash the new leader fences the old
 * producer (same transactional id) and asks Kafka whether the pending round committed: if it
 * did, the position moves past it without sending it again; if not, it goes out in a new
 * round. Consumers read committed records only (kafkajs' default). A row Kafka refuses fails
 * every round until its topic accepts it: order comes before progress, and nothing is dropped.
 * Old days go by dropping their partition once it is published (OutboxPartitions).
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly partitions: OutboxPartitions;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private nudged = false;
  /**
   * Set when the last sleep ran out with nothing to wake it: the next round first looks
   * whether anything is after the position, in one statement, before it opens a transaction
   * to read (four round trips for every look of an idle relay).
   */
  private idle = false;
  /** When the rows after the position began to wait behind an older transaction. */
  private heldSince: number | undefined;
  /** Set when the last look found nothing after the position: the relay may sleep long. */
  private caughtUp = false;
  private leaderLock: QueryRunner | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private producer: Producer | undefined;
  private recovered = false;
  /** The last xid published, as the database records it (read at recovery). */
  private position = '0';
  private nextMaintenanceAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly kafka: Kafka,
    private readonly options: OutboxRelayOptions,
  ) {
    this.partitions = new OutboxPartitions(dataSource, {
      retentionDays: options.retentionDays,
      aheadDays: options.partitionsAheadDays,
      partitionDays: options.partitionDays,
      lockName: `${options.name}.partitions`,
      lockTimeoutMs: 2000,
    });
  }

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

  /**
   * Run by every instance at start, before it consumes: rebases a position another PostgreSQL
   * cluster stored, and creates the partitions a writer may need.
   */
  async prepare(): Promise<void> {
    await this.rebaseForeignPosition();
    await this.preparePartitions();
  }

  /**
   * A position is the xid of a transaction of this cluster, so it is below the next xid. One
   * at or above it came with a schema restored into another cluster, whose new transactions
   * would sort below it and be skipped. Then the published rows move below everything, the
   * unpublished ones into this transaction, and the position to the bottom: nothing is
   * skipped; a round that was pending in the backup may go out again.
   */
  private async rebaseForeignPosition(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `${this.options.name}.position`,
      ]);
      const [{ position, next }]: Array<{ position: string; next: string }> = await manager.query(
        `SELECT position::text AS position, pg_snapshot_xmax(pg_current_snapshot())::text AS next
         FROM outbox_relay`,
      );
      if (BigInt(position) < BigInt(next)) return;
      await manager.query(`UPDATE outbox SET xid = '3' WHERE xid <= $1::xid8`, [position]);
      await manager.query(`UPDATE outbox SET xid = pg_current_xact_id() WHERE xid > $1::xid8`, [
        position,
      ]);
      await manager.query('DELETE FROM outbox_round WHERE upto IS NOT NULL');
      await manager.query(`UPDATE outbox_relay SET position = '3'`);
      this.logger.error(
        `outbox position ${position} was stored by another PostgreSQL cluster (next xid here: ${next}): rebased, unpublished rows go out again`,
      );
    });
  }

  /** Creates the partitions of the days from the retention's start to the days ahead. */
  private async preparePartitions(): Promise<void> {
    const created = await this.partitions.ensure();
    if (created.length > 0)
      this.logger.log(`outbox partitions created: ${created[0]} .. ${created[created.length - 1]}`);
  }

  /** Publishes one round; returns how many messages went out (0 when another instance leads). */
  async publishOnce(): Promise<number> {
    const producer = await this.lead();
    if (!producer) {
      if (!this.idle) {
        // Woken by this instance's writes: the leader would only see them at its next look.
        await notify(this.dataSource.manager, WROTE_CHANNEL, this.options.name);
        // One notification per waitingDelayMs at most: writes meanwhile go with the next one.
        await new Promise((resolve) => setTimeout(resolve, this.options.waitingDelayMs));
      }
      this.caughtUp = true;
      // Only the leader can tell whether rows are held; a former leader's figure would page forever.
      this.noteHeld(false);
      return 0;
    }
    try {
      if (!this.recovered) await this.recoverPendingRound();
      if (Date.now() >= this.nextMaintenanceAt) await this.maintain();
      return await this.publishRound(producer);
    } catch (error) {
      await this.resign();
      throw error;
    }
  }

  /**
   * As the leader: creates the partitions ahead and drops those past retention whose rows are
   * all published; returns the days dropped (none when another instance leads).
   */
  async maintainPartitions(): Promise<string[]> {
    const producer = await this.lead();
    if (!producer) return [];
    try {
      if (!this.recovered) await this.recoverPendingRound();
    } catch (error) {
      await this.resign();
      throw error;
    }
    await this.keepCommittedRound(producer);
    await this.preparePartitions();
    const dropped = await this.partitions.dropPublished(this.position);
    if (dropped.length > 0) {
      partitionsDropped.inc(dropped.length);
      this.logger.log(
        `outbox partitions dropped (published, past retention): ${dropped.join(', ')}`,
      );
    }
    return dropped;
  }

  /** Partition upkeep never holds up publishing: a failure is logged and tried again soon. */
  private async maintain(): Promise<void> {
    try {
      await this.maintainPartitions();
      this.nextMaintenanceAt = Date.now() + this.options.maintenanceEveryMs;
    } catch (error) {
      this.nextMaintenanceAt = Date.now() + Math.min(60_000, this.options.maintenanceEveryMs);
      this.logger.warn(
        `outbox partition upkeep failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async publishRound(producer: Producer): Promise<number> {
    this.caughtUp =
      this.idle && !(await outboxHasRowsAfter(this.dataSource.manager, this.position));
    if (this.caughtUp) {
      this.noteHeld(false);
      return 0;
    }
    const head = await this.readHead();
    if (!head) {
      // An idle relay has just looked; a nudged one looks only now that it found no round.
      this.noteHeld(
        this.idle || (await outboxHasRowsAfter(this.dataSource.manager, this.position)),
      );
      return 0;
    }
    this.noteHeld(false);
    const stopTimer = roundSeconds.startTimer();
    const [{ round }]: Array<{ round: string }> = await this.leaderSession().query(
      `INSERT INTO outbox_round (round, upto) VALUES (nextval('outbox_round_seq'), $1::xid8) RETURNING round`,
      [head.upto],
    );
    this.recovered = false;
    const transaction = await producer.transaction();
    const sent: RelayedMessage[] = [];
    try {
      let rows = head.rows;
      while (rows.length > 0) {
        const messages = rows.flatMap(messagesOf);
        await this.send(transaction, messages);
        for (const message of messages) sent.push(message);
        if (head.complete) break;
        rows = await this.readSlice(head.upto, rows[rows.length - 1]!.id);
      }
      const offset: PartitionOffset & { metadata: string } = {
        partition: 0,
        offset: round,
        metadata: `xid:${head.upto}`,
      };
      await transaction.sendOffsets({
        consumerGroupId: this.options.name,
        topics: [{ topic: this.options.roundsTopic, partitions: [offset] }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
    await this.settleRound(round, head.upto, true);
    this.position = head.upto;
    this.recovered = true;
    stopTimer();
    roundSize.observe(sent.length);
    for (const message of sent) published.inc({ topic: message.topic });
    return sent.length;
  }

  /**
   * Rows after the position that no round may take wait behind an older transaction still
   * running anywhere in the cluster (ADR 0040): nothing fails, so only this shows the stall.
   */
  private noteHeld(held: boolean): void {
    if (!held) this.heldSince = undefined;
    else this.heldSince ??= Date.now();
    heldSeconds.set(this.heldSince === undefined ? 0 : (Date.now() - this.heldSince) / 1000);
  }

  /** The next round after the position (see `readOutboxHead`). */
  private readHead(): Promise<RoundHead | undefined> {
    return this.dataSource.transaction((manager) =>
      readOutboxHead(manager, this.position, this.options),
    );
  }

  /** The next slice of one transaction larger than a read, after row `afterId`. */
  private readSlice(xid: string, afterId: string): Promise<OutboxRow[]> {
    return this.dataSource.query(
      `SELECT xid, id, topic, message_key, value, packed_keys FROM (
         SELECT xid::text AS xid, id::text AS id, topic, message_key, value, packed_keys,
                sum(octet_length(value)) OVER (ORDER BY head.id) AS running_bytes,
                row_number() OVER (ORDER BY head.id) AS n
         FROM (SELECT xid, id, topic, message_key, value, packed_keys FROM outbox
               WHERE xid = $1::xid8 AND id > $2::bigint ORDER BY id LIMIT $3) AS head
       ) AS sized
       WHERE running_bytes <= $4 OR n = 1
       ORDER BY n`,
      [xid, afterId, this.options.batchSize, this.options.maxRoundBytes],
    );
  }

  /** Sends messages in produce calls of at most `maxBatchBytes` each (a larger message alone). */
  private async send(transaction: Transaction, messages: RelayedMessage[]): Promise<void> {
    let call: RelayedMessage[] = [];
    let bytes = 0;
    for (const message of messages) {
      const size = Buffer.byteLength(message.value) + (message.key?.length ?? 0);
      if (call.length > 0 && bytes + size > this.options.maxBatchBytes) {
        await transaction.sendBatch({ acks: -1, topicMessages: groupByTopic(call) });
        call = [];
        bytes = 0;
      }
      call.push(message);
      bytes += size;
    }
    if (call.length > 0)
      await transaction.sendBatch({ acks: -1, topicMessages: groupByTopic(call) });
  }

  /**
   * Forgets a round: if Kafka committed it, the position moves to its last transaction (or, for
   * a round of the relay before the outbox was a log, the rows it sent are deleted).
   */
  private async settleRound(round: string, upto: string | null, committed: boolean): Promise<void> {
    const session = this.leaderSession();
    await session.startTransaction();
    try {
      if (committed && upto !== null)
        await session.query(
          `UPDATE outbox_relay SET position = $1::xid8 WHERE position < $1::xid8`,
          [upto],
        );
      await session.query('DELETE FROM outbox_round WHERE round = $1', [round]);
      await session.commitTransaction();
    } catch (error) {
      await session.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Settles a round left by a crash: the position moves past it if Kafka committed it, else it
   * is sent again later. Kafka may also remember rounds this database never numbered: the group
   * outlives a schema dropped and made again (or a database restored from an older backup). New
   * rounds are then numbered past the remembered one, or a round that failed would pass for
   * published.
   */
  private async recoverPendingRound(): Promise<void> {
    const session = this.leaderSession();
    const committed = await this.committedRound();
    if (committed !== null) {
      await session.query(
        `SELECT setval('outbox_round_seq', $1::bigint) FROM outbox_round_seq
         WHERE $1::bigint > CASE WHEN is_called THEN last_value ELSE last_value - 1 END`,
        [committed],
      );
    }
    const pending: Array<{ round: string; message_ids: string[] | null; upto: string | null }> =
      await session.query(
        'SELECT round, message_ids, upto::text AS upto FROM outbox_round ORDER BY round',
      );
    const last = pending[pending.length - 1];
    if (committed === null && last) await this.refuseIfKafkaForgot(last);
    for (const { round, message_ids: ids, upto } of pending) {
      const wasCommitted = committed !== null && BigInt(committed) >= BigInt(round);
      if (wasCommitted && ids && ids.length > 0)
        await session.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
      await this.settleRound(round, upto, wasCommitted);
      this.logger.warn(
        `outbox round ${round} (${roundContents(upto, ids)}) ${wasCommitted ? 'had been published' : 'is sent again'}`,
      );
    }
    const [{ position }]: Array<{ position: string }> = await session.query(
      'SELECT position::text AS position FROM outbox_relay',
    );
    this.position = position;
    this.recovered = true;
  }

  /**
   * A position past '0' was moved there by a round Kafka committed, so the group had an offset:
   * none now means Kafka forgot it (offsets.retention.minutes ran out while the service was
   * stopped, or the group was deleted). Whether the pending round was published is then unknown:
   * sent again, consumers by position would count it twice; taken for published, it may be lost.
   * The relay stops until an operator decides (docs/operations.md, TallyOutboxFailing; ADR 0197).
   */
  private async refuseIfKafkaForgot(pending: {
    round: string;
    message_ids: string[] | null;
    upto: string | null;
  }): Promise<void> {
    const [{ position }]: Array<{ position: string }> = await this.leaderSession().query(
      'SELECT position::text AS position FROM outbox_relay',
    );
    if (position === '0') return;
    throw new Error(
      `outbox relay ${this.options.name}: Kafka no longer knows its committed round (the group's offsets expired, offsets.retention.minutes, or were deleted), so whether round ${pending.round} (${roundContents(pending.upto, pending.message_ids)}) was published is unknown; see docs/operations.md, TallyOutboxFailing`,
    );
  }

  /**
   * Commits the last round numbered as the group's offset again, in a transaction of its own:
   * the group has no members, so the broker drops its offset offsets.retention.minutes after the
   * last round, and a round pending then could not be settled (ADR 0197). Run with no round
   * pending, so no round above the offset was committed.
   */
  private async keepCommittedRound(producer: Producer): Promise<void> {
    const [{ last }]: Array<{ last: string }> = await this.leaderSession().query(
      `SELECT (CASE WHEN is_called THEN last_value ELSE 0 END)::text AS last FROM outbox_round_seq`,
    );
    if (last === '0') return;
    const transaction = await producer.transaction();
    try {
      await transaction.sendOffsets({
        consumerGroupId: this.options.name,
        topics: [{ topic: this.options.roundsTopic, partitions: [{ partition: 0, offset: last }] }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  /**
   * The leader lock's own session, where the rounds and the position are written. An instance
   * whose session ended (a PostgreSQL restart, a cut connection) has lost the lock without
   * knowing it: its writes fail there, so it can never leave a round a later leader would take
   * for one Kafka committed, nor settle the current leader's.
   */
  private leaderSession(): QueryRunner {
    if (!this.leaderLock) throw new Error(`outbox relay ${this.options.name} does not lead`);
    return this.leaderLock;
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
    try {
      const producer = this.kafka.producer({
        transactionalId: this.options.name,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      this.producer = producer;
      await producer.connect();
      // The first transaction registers this producer: a previous leader's open transaction is aborted, the leader fenced.
      // Only after it may the committed round be read: a commit of the old leader has landed in full by then (ADR 0150).
      await (await producer.transaction()).abort();
      this.unlisten = await listen(lock, WROTE_CHANNEL, (name) => {
        if (name === this.options.name) this.nudge();
      });
    } catch (error) {
      // Half a leader would hold the lock and publish nothing.
      await this.resign();
      throw error;
    }
    this.recovered = false;
    this.nextMaintenanceAt = 0;
    return this.producer;
  }

  private async resign(): Promise<void> {
    const lock = this.leaderLock;
    const producer = this.producer;
    const unlisten = this.unlisten;
    this.leaderLock = undefined;
    this.producer = undefined;
    this.unlisten = undefined;
    await producer?.disconnect().catch(() => undefined);
    if (lock) {
      await unlisten?.().catch(() => undefined);
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
      this.idle = false;
      if (count === 0) {
        const nudged = await this.sleep(
          failures > 0
            ? Math.min(5000, 100 * 2 ** failures)
            : this.caughtUp
              ? this.options.idleDelayMs
              : this.options.waitingDelayMs,
        );
        this.idle = !nudged && failures === 0;
      }
    }
  }

  /**
   * Sleeps until the delay passes or a nudge arrives; a nudge during a round is not lost.
   * True when a nudge ended it.
   */
  private sleep(ms: number): Promise<boolean> {
    if (this.nudged) {
      this.nudged = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(true);
      };
    });
  }
}

/** A pending round as logs name it: the transactions it takes, or a queue round's row count. */
function roundContents(upto: string | null, ids: string[] | null): string {
  return upto === null ? `${ids?.length ?? 0} rows` : `up to xid ${upto}`;
}

function groupByTopic(messages: RelayedMessage[]) {
  const byTopic = new Map<string, Array<{ key: string | null; value: string }>>();
  for (const message of messages) {
    let topicMessages = byTopic.get(message.topic);
    if (!topicMessages) byTopic.set(message.topic, (topicMessages = []));
    topicMessages.push({ key: message.key, value: message.value });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
