import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from '@tally/persistence';

/**
 * Hold retention (ADR 0136) deletes ended holds by expiry every hour, and its last batch finds
 * few or none: without an index of the ended ones by expiry it read every reservation. Built
 * concurrently, outside a transaction, so holds are written while it builds (ADR 0167).
 */
export class EndedHoldsFoundByExpiry1763856003900 implements MigrationInterface {
  name = 'EndedHoldsFoundByExpiry1763856003900';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await createIndexConcurrently(
      queryRunner,
      'reservations_ended_by_expiry',
      'reservations',
      `(expires_at) WHERE status <> 'held'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX CONCURRENTLY IF EXISTS reservations_ended_by_expiry');
  }
}
