import type { EntityManager } from 'typeorm';

/**
 * The partition's next offset to apply, its row locked for the caller's transaction: an
 * instance still handling a partition the group has just moved waits here, then sees the
 * records as applied.
 */
export async function lockPosition(
  manager: EntityManager,
  consumer: string,
  partition: number,
): Promise<bigint> {
  await manager.query(
    `INSERT INTO consumer_positions (consumer, partition, next_offset) VALUES ($1, $2, 0)
     ON CONFLICT DO NOTHING`,
    [consumer, partition],
  );
  const [row]: Array<{ next_offset: string }> = await manager.query(
    `SELECT next_offset::text AS next_offset FROM consumer_positions
     WHERE consumer = $1 AND partition = $2 FOR UPDATE`,
    [consumer, partition],
  );
  return BigInt(row?.next_offset ?? 0);
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
