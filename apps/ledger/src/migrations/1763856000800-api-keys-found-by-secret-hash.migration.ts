import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The caller (admin) generates a key's secret and sends only its hash and display prefix, so
 * no secret travels on Kafka: the ledger finds a key by the hash of the secret it is shown.
 */
export class ApiKeysFoundBySecretHash1763856000800 implements MigrationInterface {
  name = 'ApiKeysFoundBySecretHash1763856000800';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE api_keys ADD COLUMN prefix text NOT NULL DEFAULT ''`);
    await queryRunner.query(`COMMENT ON COLUMN api_keys.prefix IS
      'The first characters of the secret, for people to recognise a key by; never enough to use it'`);
    await queryRunner.query(
      'CREATE UNIQUE INDEX api_keys_by_secret_hash ON api_keys (secret_hash)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX api_keys_by_secret_hash');
    await queryRunner.query('ALTER TABLE api_keys DROP COLUMN prefix');
  }
}
