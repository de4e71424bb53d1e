import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from '@tally/persistence';

/**
 * An account's payments are paged newest first: without an index in that order each page read
 * and sorted the account's whole history. Built concurrently, outside a transaction, so
 * payments are projected while it builds (ADR 0176).
 */
export class PaymentsFoundByTime1765300000100 implements MigrationInterface {
  name = 'PaymentsFoundByTime1765300000100';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await createIndexConcurrently(
      queryRunner,
      'payments_by_time',
      'payments',
      '(account_id, at, payment_id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX CONCURRENTLY IF EXISTS payments_by_time');
  }
}
