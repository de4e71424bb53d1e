import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys (hashed secrets) and reservations (pre-call holds on funds). */
export class CreateKeysAndReservations1763856000200 implements MigrationInterface {
  name = 'CreateKeysAndReservations1763856000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_keys (
        account_id text NOT NULL REFERENCES accounts (account_id),
        api_key_id text NOT NULL,
        name text NOT NULL,
        secret_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        PRIMARY KEY (account_id, api_key_id)
      )`);
    await queryRunner.query('CREATE UNIQUE INDEX api_keys_by_id ON api_keys (api_key_id)');
    await queryRunner.query(`COMMENT ON COLUMN api_keys.secret_hash IS
      'sha256 of the secret, which is shown once at creation and never stored'`);
    await queryRunner.query(`
      CREATE TABLE reservations (
        account_id text NOT NULL REFERENCES accounts (account_id),
        reservation_id text NOT NULL,
        api_key_id text NOT NULL,
        request_id text,
        amount numeric(38,12) NOT NULL CHECK (amount >= 0),
        status text NOT NULL CHECK (status IN ('held', 'settled', 'released')),
        expires_at timestamptz NOT NULL,
        settled_cost numeric(38,12),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, reservation_id)
      )`);
    await queryRunner.query(
      'CREATE UNIQUE INDEX reservations_by_request ON reservations (account_id, api_key_id, request_id) WHERE request_id IS NOT NULL',
    );
    await queryRunner.query(
      `CREATE INDEX reservations_held ON reservations (account_id) WHERE status = 'held'`,
    );
    await queryRunner.query(`COMMENT ON COLUMN reservations.expires_at IS
      'A held reservation stops counting against available funds at this instant: expiry needs no job'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE reservations');
    await queryRunner.query('DROP TABLE api_keys');
  }
}
