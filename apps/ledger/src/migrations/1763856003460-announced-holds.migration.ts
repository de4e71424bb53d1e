import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each account's last ledger.balance-changed (and each key budget's) subtracted as held,
 * kept while it is not 0: a round announces again the accounts whose live holds no longer
 * match, so a hold released or expired stops counting in the published state (ADR 0102).
 */
export class AnnouncedHolds1763856003460 implements MigrationInterface {
  name = 'AnnouncedHolds1763856003460';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE announced_holds (
      account_id text NOT NULL,
      api_key_id text NOT NULL,
      held numeric(38,12) CHECK (held > 0),
      PRIMARY KEY (account_id, api_key_id))`);
    await queryRunner.query(`COMMENT ON TABLE announced_holds IS
      'What the last balance announcement of an account (api_key_id ''''), or of a key budget, subtracted as held; no row when it was 0. Written by the announcing transaction (ADR 0102)'`);
    await queryRunner.query(`COMMENT ON COLUMN announced_holds.held IS
      'NULL when not known: an account that had holds before this table existed is announced again once'`);
    // Every account whose published state may still subtract a hold that has ended since.
    await queryRunner.query(`INSERT INTO announced_holds (account_id, api_key_id, held)
      SELECT DISTINCT account_id, '', NULL::numeric FROM reservations WHERE status IN ('held', 'released', 'expired')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE announced_holds');
  }
}
