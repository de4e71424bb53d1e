import type { EntityManager } from 'typeorm';

/**
 * The rows of a statement with RETURNING. (TypeORM's `query()` returns `[rows, count]` for
 * UPDATE and DELETE but the rows alone otherwise; this always returns the rows.)
 */
export async function returningRows<T>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<T[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    return (await runner.query(sql, parameters, true)).records as T[];
  } finally {
    if (!manager.queryRunner) await runner.release();
  }
}
