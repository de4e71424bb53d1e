import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox values and packed keys are compressed with lz4 instead of PostgreSQL's default pglz
 * (ADR 0054): a packed row (ADR 0049) is large enough to be compressed, and pglz cost most of
 * its insert. A partition created later takes the parent's setting; the ones already there
 * are set here. A server built without lz4 keeps pglz, and says so.
 */
export class OutboxValuesCompressedWithLz41763856000005 implements MigrationInterface {
  name = 'OutboxValuesCompressedWithLz41763856000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(compressionSql('lz4'));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(compressionSql('pglz'));
  }
}

function compressionSql(method: 'lz4' | 'pglz'): string {
  return `DO $$
    DECLARE
      part regclass;
    BEGIN
      FOR part IN
        SELECT 'outbox'::regclass
        UNION ALL
        SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'outbox'::regclass
      LOOP
        EXECUTE format(
          'ALTER TABLE %s ALTER COLUMN value SET COMPRESSION ${method}, ALTER COLUMN packed_keys SET COMPRESSION ${method}',
          part);
      END LOOP;
    EXCEPTION WHEN feature_not_supported THEN
      RAISE NOTICE 'this PostgreSQL has no lz4: outbox values stay compressed with pglz';
    END $$`;
}
