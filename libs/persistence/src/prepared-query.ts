import type { EntityManager } from 'typeorm';

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
  const config = { name: statement.name, text: statement.text, values };
  // Outside a transaction, straight from the driver's pool: a TypeORM query runner made,
  // connected and released per call was a large share of a single-row call's CPU.
  if (!manager.queryRunner) return (await poolOf(manager).query<T>(config)).rows;
  const client = (await manager.queryRunner.connect()) as PgQueryable;
  return (await client.query<T>(config)).rows;
}

interface PgQueryable {
  query<T>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
}

/** The pg pool TypeORM's PostgreSQL driver keeps (`master`: this project runs no replicas). */
function poolOf(manager: EntityManager): PgQueryable {
  return (manager.connection.driver as unknown as { master: PgQueryable }).master;
}
