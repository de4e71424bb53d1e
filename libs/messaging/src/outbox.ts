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

/** Writes messages to the outbox in the caller's transaction: no dual write to Kafka. */
export async function enqueueOutbox(
  manager: EntityManager,
  messages: readonly OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  const values = [
    pgArray(messages.map((m) => m.topic)),
    pgArray(messages.map((m) => m.key)),
    joinJsonTexts(messages.map((m) => m.value)),
  ];
  if (!messages.some((m) => m.dedupe)) {
    await manager.query(
      `INSERT INTO outbox (topic, message_key, value)
       SELECT * FROM unnest($1::text[], $2::text[], ${jsonTextsSql(3)})`,
      values,
    );
    return;
  }
  await manager.query(
    `INSERT INTO outbox (topic, message_key, value, day, dedupe_key)
     SELECT topic, message_key, value, coalesce(day, current_date), nullif(dedupe_key, 'null')
     FROM unnest($1::text[], $2::text[], ${jsonTextsSql(3)}, $4::date[], ${jsonTextsSql(5)})
       AS message (topic, message_key, value, day, dedupe_key)`,
    [
      ...values,
      pgArray(messages.map((m) => m.dedupe?.day ?? null)),
      // The JSON text null for a message without a key: the statement makes it NULL.
      joinJsonTexts(messages.map((m) => m.dedupe?.key ?? 'null')),
    ],
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
