import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createIndexConcurrently } from '@tally/persistence';

/**
 * The top spenders and the spend distribution read the accounts' rollups of a window of days:
 * without an index by day each request read every day of every account. The day alone, so a
 * rollup's update (its cost and counts) stays a heap-only one. Built concurrently (ADR 0176).
 */
export class AccountDaysFoundByDay1765300000200 implements MigrationInterface {
  name = 'AccountDaysFoundByDay1765300000200';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await createIndexConcurrently(queryRunner, 'account_daily_by_day', 'account_daily', '(day)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX CONCURRENTLY IF EXISTS account_daily_by_day');
  }
}
