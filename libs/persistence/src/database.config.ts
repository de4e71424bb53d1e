export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Where a service keeps its data: one PostgreSQL schema per service, owned by that service. */
export interface DatabaseConfig {
  readonly url: string;
  readonly schema: string;
  /** Connections per service instance; batches are short transactions, so a few suffice. */
  readonly poolSize: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid schema name "${schema}": use lower-case letters, digits and _`);
  }
  return schema;
}

export function databaseConfigFromEnv(
  defaultSchema: string,
  env: NodeJS.ProcessEnv = process.env,
): DatabaseConfig {
  const poolSize = Number(env['DB_POOL_SIZE'] ?? 10);
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new Error(`DB_POOL_SIZE must be a positive integer, got "${env['DB_POOL_SIZE']}"`);
  }
  return {
    url: env['DATABASE_URL'] || DEFAULT_DATABASE_URL,
    schema: assertSchemaName(env['DB_SCHEMA'] || defaultSchema),
    poolSize,
  };
}
