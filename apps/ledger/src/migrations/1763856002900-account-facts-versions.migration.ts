import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A counter per account that every change of what an authorization decides on moves (ADR
 * 0048): a hold decided on facts kept from a key's last request compares it instead of
 * reading the facts again. An account without a row is at version 0.
 */
export class AccountFactsVersions1763856002900 implements MigrationInterface {
  name = 'AccountFactsVersions1763856002900';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE account_facts_versions (
      account_id text PRIMARY KEY,
      version bigint NOT NULL)`);
    await queryRunner.query(`COMMENT ON TABLE account_facts_versions IS
      'Moved on, in the same transaction, by every change of an account''s balances, budgets, month counters, plan assignment, cap or coupons (ADR 0048)'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE account_facts_versions');
  }
}
