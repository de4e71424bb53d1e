import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each API key keeps the total of its held reservations (ADR 0010), so an authorization reads
 * an account's holds in O(keys) rather than summing every live hold. Expired holds are marked
 * `expired` by a sweep; until then the readers subtract them.
 */
export class HeldTotalsPerKey1763856000700 implements MigrationInterface {
  name = 'HeldTotalsPerKey1763856000700';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE api_keys ADD COLUMN held numeric(38,12) NOT NULL DEFAULT 0 CHECK (held >= 0)',
    );
    await queryRunner.query(`COMMENT ON COLUMN api_keys.held IS
      'Sum of the amounts of this key''s reservations in status held, expired or not: moved by the statement that changes a status'`);
    await queryRunner.query(`
      UPDATE api_keys AS k SET held = r.held
      FROM (SELECT account_id, api_key_id, sum(amount) AS held FROM reservations WHERE status = 'held' GROUP BY account_id, api_key_id) AS r
      WHERE k.account_id = r.account_id AND k.api_key_id = r.api_key_id`);
    await queryRunner.query('ALTER TABLE reservations DROP CONSTRAINT reservations_status_check');
    await queryRunner.query(`ALTER TABLE reservations ADD CONSTRAINT reservations_status_check
      CHECK (status IN ('held', 'settled', 'released', 'expired'))`);
    await queryRunner.query('DROP INDEX reservations_held');
    await queryRunner.query(
      `CREATE INDEX reservations_held_by_expiry ON reservations (account_id, expires_at) WHERE status = 'held'`,
    );
    await queryRunner.query(
      `CREATE INDEX reservations_held_to_sweep ON reservations (expires_at) WHERE status = 'held'`,
    );
    await queryRunner.query(`COMMENT ON COLUMN reservations.expires_at IS
      'A held reservation stops counting against available funds at this instant; the sweep marks it expired later'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX reservations_held_to_sweep');
    await queryRunner.query('DROP INDEX reservations_held_by_expiry');
    await queryRunner.query(
      `CREATE INDEX reservations_held ON reservations (account_id) WHERE status = 'held'`,
    );
    await queryRunner.query(`UPDATE reservations SET status = 'held' WHERE status = 'expired'`);
    await queryRunner.query('ALTER TABLE reservations DROP CONSTRAINT reservations_status_check');
    await queryRunner.query(
      `ALTER TABLE reservations ADD CONSTRAINT reservations_status_check CHECK (status IN ('held', 'settled', 'released'))`,
    );
    await queryRunner.query('ALTER TABLE api_keys DROP COLUMN held');
  }
}
