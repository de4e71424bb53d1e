import type { EntityManager } from 'typeorm';
import { withQueryRunner } from './query-runner';

/**
 * The rows of a statement with RETURNING. (TypeORM's `query()` returns `[rows, count]` for
 * UPDATE and DELETE but the rows alone otherwise; this always returns the rows.)
 */
export async function returningRows<T>(
  manager: EntityManager,
  sql: string,
  parameters: unknown[],
): Promise<T[]> {
  return withQueryRunner(
    manager,
    async (runner) => (await runner.query(sql, parameters, true)).records as T[],
  );
}
