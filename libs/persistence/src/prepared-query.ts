import type { EntityManager } from 'typeorm';
import { withQueryRunner } from './query-runner';

/** A statement PostgreSQL plans once per connection: for hot paths that run one row at a time. */
export interface PreparedStatement {
  /** Unique per statement text across the service. */
  readonly name: string;
  readonly text: string;
}

/**
 * Runs a named prepared statement on the manager's connection (its transaction's, if any) and
 * returns its rows. Planning a small statement costs more than running it, so hot single-row
 * paths use these; batch statements, planned once per thousand rows, do not need to.
 */
export async function preparedQuery<T>(
  manager: EntityManager,
  statement: PreparedStatement,
  values: unknown[],
): Promise<T[]> {
  return withQueryRunner(manager, async (runner) => {
    const client = (await runner.connect()) as {
      query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
    };
    return (await client.query({ name: statement.name, text: statement.text, values })).rows;
  });
}
