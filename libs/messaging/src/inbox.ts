import { returningRows } from '@tally/persistence';
import type { EntityManager } from 'typeorm';

/**
 * Records message ids in the consumer's inbox inside the caller's transaction and returns
 * the ids seen for the first time. The effect of a message is applied only if its id is
 * new, in the same transaction, so a redelivered or re-sent message changes nothing.
 */
export async function claimInbox(
  manager: EntityManager,
  consumer: string,
  messageIds: readonly string[],
): Promise<Set<string>> {
  if (messageIds.length === 0) return new Set();
  const rows: Array<{ message_id: string }> = await manager.query(
    `INSERT INTO inbox (consumer, message_id)
     SELECT $1, id FROM unnest($2::text[]) AS id
     ON CONFLICT DO NOTHING
     RETURNING message_id`,
    [consumer, messageIds],
  );
  return new Set(rows.map((row) => row.message_id));
}

/**
 * The items whose message id the inbox has not seen, each id once (a batch may carry the
 * same message twice when a producer retried).
 */
export async function claimNew<T extends { readonly messageId: string }>(
  manager: EntityManager,
  consumer: string,
  items: readonly T[],
): Promise<T[]> {
  const firstSeen = await claimInbox(
    manager,
    consumer,
    items.map((item) => item.messageId),
  );
  return items.filter((item) => firstSeen.delete(item.messageId));
}

/**
 * Deletes up to `limit` ids of `consumer` received before `before`, in the caller's
 * transaction; returns how many. Only for inboxes that cover redeliveries alone (ADR 0135): a
 * consumer whose effect ignores a stale record by itself, or keeps its own ids (`appliedIds`).
 */
export async function forgetInboxIds(
  manager: EntityManager,
  consumer: string,
  before: Date,
  limit: number,
): Promise<number> {
  const deleted = await returningRows(
    manager,
    `DELETE FROM inbox WHERE consumer = $1 AND message_id = ANY(ARRAY(
       SELECT message_id FROM inbox WHERE consumer = $1 AND received_at < $2 LIMIT $3))
     RETURNING 1`,
    [consumer, before, limit],
  );
  return deleted.length;
}
