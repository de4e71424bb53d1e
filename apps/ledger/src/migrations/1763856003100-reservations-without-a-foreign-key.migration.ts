import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reservations lose their foreign key to accounts (ADR 0056): a hold is inserted only from the
 * row of its API key that the same statement updated, so the foreign key's check could never
 * fail, and it cost every authorization a lookup. Reconciliation reports any hold without its
 * key.
 */
export class ReservationsWithoutAForeignKey1763856003100 implements MigrationInterface {
  name = 'ReservationsWithoutAForeignKey1763856003100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE reservations DROP CONSTRAINT reservations_account_id_fkey',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Reads every reservation to check it: holds wait for this migration's commit.
    await queryRunner.query(`ALTER TABLE reservations ADD CONSTRAINT reservations_account_id_fkey
      FOREIGN KEY (account_id) REFERENCES accounts (account_id)`);
  }
}
