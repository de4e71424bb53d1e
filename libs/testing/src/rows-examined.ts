import type { DataSource, EntityManager } from 'typeorm';
import { createDataSource, runMigrations } from '@tally/persistence';
import { dropSchemas, isolate } from './isolation';

export interface RecordedStatement {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * An EntityManager for code that calls `query`, runs prepared statements on the manager's
 * transaction (`preparedQuery`) or reads RETURNING rows (`returningRows`): it runs them on
 * `manager`, which must be in a transaction, and keeps them.
 */
export function recordingManager(manager: EntityManager): {
  manager: EntityManager;
  statements: RecordedStatement[];
} {
  const statements: RecordedStatement[] = [];
  const recording = {
    query: (sql: string, params: unknown[] = []) => {
      statements.push({ sql, params });
      return manager.query(sql, params);
    },
    queryRunner: {
      // returningRows asks the runner for its rows.
      query: (sql: string, params: unknown[], structured: true) => {
        if (!manager.queryRunner)
          throw new Error('recordingManager: returningRows needs a transaction');
        statements.push({ sql, params });
        return manager.queryRunner.query(sql, params, structured);
      },
      connect: async () => {
        if (!manager.queryRunner)
          throw new Error('recordingManager: prepared statements need a transaction');
        const client = (await manager.queryRunner.connect()) as {
          query(config: { name: string; text: string; values: unknown[] }): Promise<unknown>;
        };
        return {
          query: (config: { name: string; text: string; values: unknown[] }) => {
            statements.push({ sql: config.text, params: config.values });
            return client.query(config);
          },
        };
      },
    },
  };
  return { manager: recording as unknown as EntityManager, statements };
}

interface PlanNode {
  readonly 'Relation Name'?: string;
  readonly 'Actual Rows': number;
  readonly 'Actual Loops': number;
  readonly 'Rows Removed by Filter'?: number;
  readonly 'Rows Removed by Index Recheck'?: number;
  readonly Plans?: PlanNode[];
}

/**
 * How many rows of `table` (or of its partitions, `<table>_p…`) a statement read, by EXPLAIN
 * ANALYZE: the rows its scans returned and those their filters threw away (per loop, rounded
 * by EXPLAIN, times the loops). A lookup by key reads at most a row per key; a scan reads the
 * table.
 */
export async function rowsExamined(
  manager: EntityManager,
  statement: RecordedStatement,
  table: string,
): Promise<number> {
  const [
    {
      'QUERY PLAN': [{ Plan: plan }],
    },
  ] = (await manager.query(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`,
    statement.params,
  )) as [{ 'QUERY PLAN': [{ Plan: PlanNode }] }];
  const examined = (node: PlanNode): number => {
    const name = node['Relation Name'];
    const own =
      name === table || name?.startsWith(`${table}_p`)
        ? // EXPLAIN gives each count per loop.
          (node['Actual Rows'] +
            (node['Rows Removed by Filter'] ?? 0) +
            (node['Rows Removed by Index Recheck'] ?? 0)) *
          node['Actual Loops']
        : 0;
    return own + (node.Plans ?? []).reduce((sum, child) => sum + examined(child), 0);
  };
  return examined(plan);
}

/** Runs `work` in a transaction that is rolled back however it ends: what a test writes to measure a statement stays out of the rest. */
export async function inRolledBackTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.startTransaction();
  try {
    return await work(runner.manager);
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

/**
 * A test file's own schema with `migrations` applied before its tests and dropped after them:
 * for statements measured on volume the test writes itself, without a running service.
 */
export function migratedSchema(
  service: string,
  migrations: NonNullable<Parameters<typeof createDataSource>[0]['migrations']>,
): { readonly dataSource: DataSource } {
  const isolation = isolate();
  const schema = isolation.schema(service);
  let dataSource: DataSource | undefined;
  beforeAll(async () => {
    dataSource = createDataSource({
      config: { url: isolation.databaseUrl, schema, poolSize: 2 },
      applicationName: `${service}-volume-test`,
      migrations,
    });
    await dataSource.initialize();
    await runMigrations(dataSource);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await dropSchemas(isolation.databaseUrl, [schema]);
  });
  return {
    get dataSource(): DataSource {
      if (!dataSource) throw new Error('migratedSchema: the schema is made in beforeAll');
      return dataSource;
    },
  };
}
