import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Balance announcements take their sequence from the account's facts version (ADR 0059), no
 * longer from the sum of its ledger rows' versions, the last sequence announced: each facts
 * version starts at least there, so the next announcement is newer than every earlier one.
 */
export class BalanceSequencesAreFactsVersions1763856003300 implements MigrationInterface {
  name = 'BalanceSequencesAreFactsVersions1763856003300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`INSERT INTO account_facts_versions AS v (account_id, version)
      SELECT account_id, sum(version) FROM ledger_accounts GROUP BY account_id
      ON CONFLICT (account_id) DO UPDATE SET version = greatest(v.version, EXCLUDED.version)`);
    await queryRunner.query(`COMMENT ON TABLE account_facts_versions IS
      'Moved on, in the same transaction, by every change of an account''s balances, budgets, month counters, plan assignment, cap or coupons (ADR 0048); the sequence of its ledger.balance-changed records (ADR 0059)'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The versions stay: they only ever grow, and a higher one only makes kept facts read again.
    await queryRunner.query(`COMMENT ON TABLE account_facts_versions IS
      'Moved on, in the same transaction, by every change of an account''s balances, budgets, month counters, plan assignment, cap or coupons (ADR 0048)'`);
  }
}
