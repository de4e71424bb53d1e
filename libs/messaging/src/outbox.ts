import { joinJsonTexts, jsonTextsSql } from '@tally/persistence';
import type { EntityManager } from 'typeorm';

export interface OutboxMessage {
  /** The resolved topic name to publish to. */
  readonly topic: string;
  /** The partition key: always the account id, so one account's facts stay in order. */
  readonly key: string | null;
  /** The payload as JSON text, serialised once here; the relay publishes these bytes unchanged. */
  readonly value: string;
}

/** Writes messages to the outbox in the caller's transaction: no dual write to Kafka. */
export async function enqueueOutbox(
  manager: EntityManager,
  messages: readonly OutboxMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  await manager.query(
    `INSERT INTO outbox (topic, message_key, value)
     SELECT * FROM unnest($1::text[], $2::text[], ${jsonTextsSql(3)})`,
    [
      messages.map((m) => m.topic),
      messages.map((m) => m.key),
      joinJsonTexts(messages.map((m) => m.value)),
    ],
  );
}

export function jsonMessage(topic: string, key: string | null, payload: unknown): OutboxMessage {
  return { topic, key, value: JSON.stringify(payload) };
}
