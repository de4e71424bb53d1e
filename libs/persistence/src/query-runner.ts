import type { EntityManager, QueryRunner } from 'typeorm';

/**
 * Runs `work` on the manager's query runner: its transaction's when it has one, otherwise a
 * pooled connection borrowed for the call and released after it.
 */
export async function withQueryRunner<T>(
  manager: EntityManager,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  if (manager.queryRunner) return work(manager.queryRunner);
  const runner = manager.connection.createQueryRunner();
  try {
    return await work(runner);
  } finally {
    await runner.release();
  }
}
