import type { EntityManager } from 'typeorm';
import { preparedQuery } from '@tally/persistence';
import type { PreparedStatement } from '@tally/persistence';
import { PACKED_TOPIC_PREFIX, PACKED_VALUE_SEPARATOR } from './outbox';

export interface OutboxRow {
  xid: string;
  id: string;
  topic: string;
  message_key: string | null;
  value: string;
  /** The keys of a packed row's messages (ADR 0049); null for a row of one message. */
  packed_keys: Array<string | null> | null;
}

/** A message as the relay sends it. */
export interface RelayedMessage {
  readonly topic: string;
  readonly key: string | null;
  readonly value: string;
}

/** The messages a row carries, in publishing order. */
export function messagesOf(row: OutboxRow): RelayedMessage[] {
  if (row.packed_keys === null)
    return [{ topic: row.topic, key: row.message_key, value: row.value }];
  const keys = row.packed_keys;
  const values = row.value.split(PACKED_VALUE_SEPARATOR);
  // Never sent short or elsewhere: the round fails and waits, as for a record Kafka refuses.
  if (values.length !== keys.length || !row.topic.startsWith(PACKED_TOPIC_PREFIX)) {
    throw new Error(
      `outbox row ${row.id} is corrupt: ${values.length} values for ${keys.length} keys, topic ${row.topic}`,
    );
  }
  const topic = row.topic.slice(PACKED_TOPIC_PREFIX.length);
  return values.map((value, i) => ({ topic, key: keys[i]!, value }));
}

/** The rows of the round's first read, the last transaction it publishes, and whether that is all. */
export interface RoundHead {
  rows: OutboxRow[];
  upto: string;
  /** False when the round is one transaction larger than a read: the rest follows in slices. */
  complete: boolean;
}

export interface HeadLimits {
  /** Rows read at most. */
  readonly batchSize: number;
  /** Payload bytes read at most (the first row is read whatever its size). */
  readonly maxRoundBytes: number;
}

/**
 * The rows after the position, read from each partition's (xid, id) index and merged in that
 * order, stopping at the limit. Statistics lag behind a table that grows by thousands of rows
 * a second; planned on them, the read took every row after the position by bitmap scans and
 * sorted them all, values included (docs/benchmarks). Without those two plans nothing is left
 * to sort: the window functions and the outer order follow the merge. Prepared: planning it
 * over every partition cost about half of what running it does.
 */
const HEAD: PreparedStatement = {
  name: 'outbox_head',
  text: `SELECT xid, id, topic, message_key, value, packed_keys, next_xid, head_rows FROM (
    SELECT head.xid AS sort_xid, head.id AS sort_id, xid::text AS xid, id::text AS id, topic, message_key, value, packed_keys,
           lead(xid::text) OVER (ORDER BY head.xid, head.id) AS next_xid,
           sum(octet_length(value)) OVER (ORDER BY head.xid, head.id) AS running_bytes,
           row_number() OVER (ORDER BY head.xid, head.id) AS n,
           count(*) OVER ()::int AS head_rows
    FROM (SELECT xid, id, topic, message_key, value, packed_keys FROM outbox
          WHERE xid > $1::xid8 AND xid < pg_snapshot_xmin(pg_current_snapshot())
          ORDER BY xid, id LIMIT $2) AS head
  ) AS sized
  WHERE running_bytes <= $3 OR n = 1
  ORDER BY sort_xid, sort_id`,
};

/**
 * Whether the outbox has rows after the position, ready or not: an idle relay's look, one
 * statement outside a transaction. `max` is read from each partition's index end, whatever the
 * statistics say (a condition on xid would let them choose to read every row after it).
 */
const ANY_AFTER: PreparedStatement = {
  name: 'outbox_any_after',
  text: `SELECT coalesce(max(xid) > $1::xid8, false) AS any FROM outbox`,
};

export async function outboxHasRowsAfter(
  manager: EntityManager,
  position: string,
): Promise<boolean> {
  const [row] = await preparedQuery<{ any: boolean }>(manager, ANY_AFTER, [position]);
  return row!.any;
}

/**
 * The next round: the rows of whole ended transactions after `position`, in xid order, within
 * the limits (or the first slice of one larger transaction). Inside the round rows go out in
 * the order they were written (id), so two transactions that took turns on a key keep their
 * turn even when the later one's xid is older. Call it in a transaction: the planner settings
 * it takes last until that transaction ends.
 */
export async function readOutboxHead(
  manager: EntityManager,
  position: string,
  limits: HeadLimits,
): Promise<RoundHead | undefined> {
  await manager.query(
    `SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`,
  );
  const rows: Array<OutboxRow & { next_xid: string | null; head_rows: number }> =
    await preparedQuery(manager, HEAD, [position, limits.batchSize, limits.maxRoundBytes]);
  if (rows.length === 0) return undefined;
  const last = rows[rows.length - 1]!;
  // The last transaction read is whole if the row after it belongs to another one, or if
  // the read ended before the limit; else it waits for the next round, unless it is the only
  // one (then it goes out in slices).
  const lastIsWhole =
    last.next_xid === null ? rows[0]!.head_rows < limits.batchSize : last.next_xid !== last.xid;
  if (lastIsWhole) return { rows: inWrittenOrder(rows), upto: last.xid, complete: true };
  const whole = rows.filter((row) => row.xid !== last.xid);
  if (whole.length === 0) return { rows, upto: last.xid, complete: false };
  // The round's last transaction in xid order (before the rows are put in written order).
  const upto = whole[whole.length - 1]!.xid;
  return { rows: inWrittenOrder(whole), upto, complete: true };
}

/** Rows by id: the order their transactions wrote them. Ids are positive integers as text. */
function inWrittenOrder<R extends { id: string }>(rows: R[]): R[] {
  return rows.sort((a, b) => a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
