import { Logger } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { counter } from '@tally/platform';

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
  /** Instances of one service share the outbox; an advisory lock keyed by this lets one publish at a time, in order. */
  readonly lockName: string;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string | null;
  value: string;
}

const published = counter('tally_outbox_published_total', 'Messages the outbox relay published', ['topic']);

/**
 * Publishes committed outbox rows with the idempotent producer, then deletes them in the
 * same transaction that locked them. A crash between publish and delete republishes the
 * rows, never loses them; consumers dedupe by message id (at-least-once + inbox =
 * exactly-once effect).
 */
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private nudged = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: Producer,
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
  }

  /** Publishes one round; returns how many rows went out (0 when another instance holds the lock). */
  async publishOnce(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }]: Array<{ locked: boolean }> = await manager.query(
        'SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked',
        [this.options.lockName],
      );
      if (!locked) return 0;
      const rows: OutboxRow[] = await manager.query(
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
      await this.producer.sendBatch({ acks: -1, topicMessages: groupByTopic(rows) });
      await manager.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
      for (const row of rows) published.inc({ topic: row.topic });
      return rows.length;
    });
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
        this.logger.error(`outbox relay round failed (attempt ${failures}): ${describe(error)}`);
      }
      if (count === 0) {
        await this.sleep(failures > 0 ? Math.min(5000, 100 * 2 ** failures) : this.options.idleDelayMs);
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
