import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from '@tally/persistence';

/**
 * An account's transactions filtered by kind (its purchases, grants, refunds) were found by
 * reading every tenant's transactions. Usage is most of the rows and its filter is not
 * selective (the posting-time index serves it), so it is left out and its projection writes no
 * more than before. Built concurrently, outside a transaction (ADR 0176).
 */
export class TransactionsFoundByKind1765300000300 implements MigrationInterface {
  name = 'TransactionsFoundByKind1765300000300';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await createIndexConcurrently(
      queryRunner,
      'transactions_by_kind',
      'transactions',
      `(account_id, kind, posted_at, transaction_id) WHERE kind <> 'usage'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX CONCURRENTLY IF EXISTS transactions_by_kind');
  }
}
