import type { QueryRunner } from 'typeorm';

/**
 * Builds an index without blocking writes to its table (`CREATE INDEX CONCURRENTLY`), for a
 * migration whose `transaction` is false (ADR 0167, rule 3). A build that failed half-way
 * leaves an invalid index that `IF NOT EXISTS` would keep for ever: it is dropped and built
 * again. `definition` follows the index's name: `ON table (columns) [WHERE ...]`.
 */
export async function createIndexConcurrently(
  queryRunner: QueryRunner,
  name: string,
  definition: string,
): Promise<void> {
  const [left]: Array<{ valid: boolean }> = await queryRunner.query(
    'SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)',
    [name],
  );
  if (left && !left.valid) await queryRunner.query(`DROP INDEX CONCURRENTLY ${name}`);
  await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ${definition}`);
}
