import type { QueryRunner } from 'typeorm';

/**
 * Builds an index on `table` without blocking its writes (`CREATE INDEX CONCURRENTLY`), for a
 * migration whose `transaction` is false (ADR 0167, rule 3; ADR 0176). A build that failed
 * half-way leaves an invalid index that `IF NOT EXISTS` would keep for ever: it is dropped and
 * built again. An empty table (a new schema) gets a plain build: a concurrent one would wait
 * for every older transaction of the database, for nothing. `definition` follows the table's
 * name: `(columns) [WHERE ...]`.
 */
export async function createIndexConcurrently(
  queryRunner: QueryRunner,
  name: string,
  table: string,
  definition: string,
): Promise<void> {
  const [left]: Array<{ valid: boolean }> = await queryRunner.query(
    'SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)',
    [name],
  );
  if (left && !left.valid) await queryRunner.query(`DROP INDEX CONCURRENTLY ${name}`);
  const [rows]: Array<{ any: boolean }> = await queryRunner.query(
    `SELECT EXISTS (SELECT 1 FROM ${table}) AS any`,
  );
  const concurrently = rows?.any ? 'CONCURRENTLY ' : '';
  await queryRunner.query(
    `CREATE INDEX ${concurrently}IF NOT EXISTS ${name} ON ${table} ${definition}`,
  );
}
