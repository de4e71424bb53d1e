import { joinJsonTexts, jsonTextsSql, pgArray } from '@tally/persistence';
import type { EntityManager } from 'typeorm';

/**
 * A published message that is also the consumer's record of having applied an incoming one
 * (instead of an inbox row): `key` is that message's id, unique within `day`.
 */
export interface OutboxDedupe {
  /**
   * The id of the message applied (what `idOf` answers), a JSON text (`usageDedupKey`): keys
   * travel to PostgreSQL joined as one text, unescaped (`joinJsonTexts`).
   */
  readonly key: string;
  /**
   * The UTC day (YYYY-MM-DD) of the applied message's own time, never of its arrival: a repeat,
   * whenever it comes, names the same day and so meets the first copy's row.
   */
  readonly day: string;
}

export interface OutboxMessage {
  /** The resolved topic name to publish to. */
  readonly topic: string;
  /** The partition key: always the account id, so one account's facts stay in order. */
  readonly key: string | null;
  /** The payload as JSON text, serialised once here; the relay publishes these bytes unchanged. */
  readonly value: string;
  readonly dedupe?: OutboxDedupe;
}

/**
 * Payload bytes one outbox row carries at most when a transaction's messages are packed
 * (ADR 0049): well under the relay's read of `maxRoundBytes`, which takes a larger row alone.
 */
export const OUTBOX_PACK_BYTES = 256 * 1024;

/** Joins the values of a packed row; JSON.stringify escapes every control character. */
export const PACKED_VALUE_SEPARATOR = '\u001d';

/**
 * What a packed row's `topic` starts with: Kafka refuses the name (`:` is not allowed), so a
 * relay older than packing, which would send the row as one message of joined values, fails
 * its round and waits for a current relay to lead (a rolling upgrade) instead.
 */
export const PACKED_TOPIC_PREFIX = 'packed:';

export interface EnqueueOptions {
  /**
   * Packs the messages of one topic into rows of at most this many payload bytes, one row per
   * topic per transaction when they fit (0, the default: a row per message). A message with a
   * dedupe key is always a row of its own: the row is its record.
   */
  readonly packBytes?: number;
}

/** Several messages of one topic as one outbox row, in publishing order. */
export interface OutboxPack {
  readonly topic: string;
  readonly keys: Array<string | null>;
  readonly values: string[];
}

/** An outbox row to write: a message of its own, or a pack. */
export type OutboxRowToWrite = OutboxMessage | OutboxPack;

export function isPack(row: OutboxRowToWrite): row is OutboxPack {
  return 'keys' in row;
}

/**
 * The rows that carry these messages. Per topic, the messages keep their publishing order
 * across rows (what Kafka keeps per partition); across topics there is no order to keep. A
 * message that stays alone is its own row, not a copy: metering writes one per usage event.
 */
export function outboxRowsOf(
  messages: readonly OutboxMessage[],
  packBytes: number,
): OutboxRowToWrite[] {
  const rows: OutboxRowToWrite[] = [];
  if (packBytes <= 0) return rows.concat(messages);
  // Per topic, the row that later messages may still join, and its payload bytes.
  const open = new Map<string, { index: number; bytes: number }>();
  for (const message of messages) {
    if (message.dedupe) {
      // Its own row, and the end of its topic's pack: what follows is written after it.
      open.delete(message.topic);
      rows.push(message);
      continue;
    }
    const bytes = Buffer.byteLength(message.value);
    const pack = open.get(message.topic);
    if (!pack || pack.bytes + bytes > packBytes) {
      open.set(message.topic, { index: rows.length, bytes });
      rows.push(message);
      continue;
    }
    const row = rows[pack.index]!;
    if (isPack(row)) {
      row.keys.push(message.key);
      row.values.push(message.value);
    } else {
      rows[pack.index] = {
        topic: row.topic,
        keys: [row.key, message.key],
        values: [row.value, message.value],
      };
    }
    pack.bytes += bytes;
  }
  return rows;
}

/** Writes messages to the outbox in the caller's transaction: no dual write to Kafka. */
export async function enqueueOutbox(
  manager: EntityManager,
  messages: readonly OutboxMessage[],
  options: EnqueueOptions = {},
): Promise<void> {
  if (messages.length === 0) return;
  const rows = outboxRowsOf(messages, options.packBytes ?? 0);
  const packed = rows.some(isPack);
  const deduped = rows.some((row) => !isPack(row) && row.dedupe);
  const columns = ['topic', 'message_key', 'value'];
  const selected = ['topic', 'message_key', 'value'];
  const sources = ['$1::text[]', '$2::text[]', jsonTextsSql(3)];
  const parameters: unknown[] = [
    pgArray(rows.map((row) => (isPack(row) ? PACKED_TOPIC_PREFIX + row.topic : row.topic))),
    pgArray(rows.map((row) => (isPack(row) ? null : row.key))),
    // A packed value holds no U+001E either, so it travels joined like a JSON text.
    joinJsonTexts(
      rows.map((row) => (isPack(row) ? row.values.join(PACKED_VALUE_SEPARATOR) : row.value)),
    ),
  ];
  if (deduped) {
    columns.push('day', 'dedupe_key');
    selected.push('coalesce(day, current_date)', "nullif(dedupe_key, 'null')");
    sources.push(`$${parameters.length + 1}::date[]`, jsonTextsSql(parameters.length + 2));
    const dedupeOf = (row: OutboxRowToWrite) => (isPack(row) ? undefined : row.dedupe);
    parameters.push(
      pgArray(rows.map((row) => dedupeOf(row)?.day ?? null)),
      // The JSON text null for a row without a key: the statement makes it NULL.
      joinJsonTexts(rows.map((row) => dedupeOf(row)?.key ?? 'null')),
    );
  }
  if (packed) {
    columns.push('packed_keys');
    selected.push("nullif(packed_keys, 'null')::jsonb");
    sources.push(jsonTextsSql(parameters.length + 1));
    parameters.push(
      joinJsonTexts(rows.map((row) => (isPack(row) ? JSON.stringify(row.keys) : 'null'))),
    );
  }
  await manager.query(
    `INSERT INTO outbox (${columns.join(', ')})
     SELECT ${selected.join(', ')} FROM unnest(${sources.join(', ')}) AS message (${columns.join(', ')})`,
    parameters,
  );
}

/**
 * Which of these dedupe keys the outbox holds (committed, or written earlier in the caller's
 * transaction): the ids a consumer that records them there has applied before. One statement
 * per day, so each reads one partition's index.
 */
export async function dedupeKeysInOutbox(
  manager: EntityManager,
  keys: readonly OutboxDedupe[],
): Promise<Set<string>> {
  const byDay = new Map<string, string[]>();
  for (const { key, day } of keys) {
    const dayKeys = byDay.get(day);
    if (dayKeys) dayKeys.push(key);
    else byDay.set(day, [key]);
  }
  const found = new Set<string>();
  for (const [day, dayKeys] of byDay) {
    // One probe of the unique index per key (the LIMIT keeps it a nested loop): with
    // `dedupe_key = ANY(...)` and statistics behind a growing day, PostgreSQL read the whole
    // day's rows for every slice instead.
    const rows: Array<{ key: string }> = await manager.query(
      `SELECT k.key FROM unnest(${jsonTextsSql(2)}) AS k(key)
       CROSS JOIN LATERAL (SELECT 1 FROM outbox WHERE day = $1::date AND dedupe_key = k.key LIMIT 1) AS found`,
      [day, joinJsonTexts(dayKeys)],
    );
    for (const row of rows) found.add(row.key);
  }
  return found;
}

export function jsonMessage(topic: string, key: string | null, payload: unknown): OutboxMessage {
  return { topic, key, value: JSON.stringify(payload) };
}
