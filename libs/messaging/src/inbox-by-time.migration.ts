import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from '@tally/persistence';

/**
 * Inbox retention (ADR 0135) forgets a consumer's ids by the time they arrived, every hour:
 * without an index of that time it read every id of the inbox, a week of them or more. Built
 * concurrently, outside a transaction, so consumers claim ids while it builds (ADR 0176).
 */
export class InboxFoundByTime1763856000007 implements MigrationInterface {
  name = 'InboxFoundByTime1763856000007';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await createIndexConcurrently(queryRunner, 'inbox_by_time', 'inbox', '(consumer, received_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX CONCURRENTLY IF EXISTS inbox_by_time');
  }
}
