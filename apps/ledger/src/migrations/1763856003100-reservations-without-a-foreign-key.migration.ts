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
    // NOT VALID, then one read to validate: holds are not blocked while the table is read.
    await queryRunner.query(`ALTER TABLE reservations ADD CONSTRAINT reservations_account_id_fkey
      FOREIGN KEY (account_id) REFERENCES accounts (account_id) NOT VALID`);
    await queryRunner.query(
      'ALTER TABLE reservations VALIDATE CONSTRAINT reservations_account_id_fkey',
    );
  }
}
