import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Consumer positions in SQL: the next offset to apply per topic partition. */
@Injectable()
export class PositionsStore {
  /**
   * The partition's next offset to apply, its row locked for this transaction: an instance
   * still handling a partition the group has just moved waits here, then sees the records
   * as applied.
   */
  async lock(manager: EntityManager, consumer: string, partition: number): Promise<bigint> {
    await manager.query(
      `INSERT INTO consumer_positions (consumer, partition, next_offset) VALUES ($1, $2, 0)
       ON CONFLICT DO NOTHING`,
      [consumer, partition],
    );
    const rows = (await manager.query(
      `SELECT next_offset::text AS next_offset FROM consumer_positions
       WHERE consumer = $1 AND partition = $2 FOR UPDATE`,
      [consumer, partition],
    )) as Array<{ next_offset: string }>;
    return BigInt(rows[0]?.next_offset ?? 0);
  }

  async advance(
    manager: EntityManager,
    consumer: string,
    partition: number,
    nextOffset: bigint,
  ): Promise<void> {
    await manager.query(
      `UPDATE consumer_positions SET next_offset = $3 WHERE consumer = $1 AND partition = $2`,
      [consumer, partition, nextOffset.toString()],
    );
  }
}
