import type { EntityManager } from 'typeorm';

/** Where a consumer stands in one partition, as its consumer_positions row says. */
export interface StoredPosition {
  /** The next offset to apply. */
  readonly next: bigint;
  /** Why the partition is not consumed (ADR 0106), or null. */
  readonly halted: string | null;
}

/**
 * The partition's stored position, its row locked for the caller's transaction: an instance
 * still handling a partition the group has just moved waits here, then sees the records as
 * applied.
 */
export async function lockPosition(
  manager: EntityManager,
  consumer: string,
  partition: number,
): Promise<StoredPosition> {
  await manager.query(
    `INSERT INTO consumer_positions (consumer, partition, next_offset) VALUES ($1, $2, 0)
     ON CONFLICT DO NOTHING`,
    [consumer, partition],
  );
  const [row]: Array<{ next_offset: string; halted: string | null }> = await manager.query(
    `SELECT next_offset::text AS next_offset, halted FROM consumer_positions
     WHERE consumer = $1 AND partition = $2 FOR UPDATE`,
    [consumer, partition],
  );
  return { next: BigInt(row?.next_offset ?? 0), halted: row?.halted ?? null };
}

export async function advancePosition(
  manager: EntityManager,
  consumer: string,
  partition: number,
  nextOffset: bigint,
): Promise<void> {
  await manager.query(
    'UPDATE consumer_positions SET next_offset = $3 WHERE consumer = $1 AND partition = $2',
    [consumer, partition, nextOffset.toString()],
  );
}

/** Keeps the partition from being consumed until an operator resets its position, and says why. */
export async function haltPosition(
  manager: EntityManager,
  consumer: string,
  partition: number,
  reason: string,
): Promise<void> {
  await manager.query(
    'UPDATE consumer_positions SET halted = $3 WHERE consumer = $1 AND partition = $2',
    [consumer, partition, reason],
  );
}
