import { MAX_TIMER_MS, wholeNumber } from '@tally/platform';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Where a service keeps its data: one PostgreSQL schema per service, owned by that service. */
export interface DatabaseConfig {
  readonly url: string;
  readonly schema: string;
  /** Connections per service instance; batches are short transactions, so a few suffice. */
  readonly poolSize: number;
  /**
   * How long a query waits for a connection (a new one, or a free one of a busy pool) before it
   * fails: a database that takes connections and never answers must not hold a request for ever.
   */
  readonly connectTimeoutMs?: number;
  /** How long PostgreSQL runs one statement, lock waits included, before cancelling it (0: no limit). */
  readonly statementTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

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
  // PostgreSQL's max_connections goes up to 262143: a larger pool can never fill.
  const poolSize = wholeNumber(env, 'DB_POOL_SIZE', 10, { min: 1, max: 262_143 });
  return {
    url: databaseUrl(env['DATABASE_URL'] || DEFAULT_DATABASE_URL),
    schema: assertSchemaName(env['DB_SCHEMA'] || defaultSchema),
    poolSize,
    connectTimeoutMs: wholeNumber(env, 'DB_CONNECT_TIMEOUT_MS', DEFAULT_CONNECT_TIMEOUT_MS, {
      min: 1,
      max: MAX_TIMER_MS,
    }),
    statementTimeoutMs: wholeNumber(env, 'DB_STATEMENT_TIMEOUT_MS', DEFAULT_STATEMENT_TIMEOUT_MS, {
      min: 0,
      max: MAX_TIMER_MS,
    }),
  };
}

/**
 * A postgres:// URL, else an error naming the variable: pg reads other text as a host or a
 * socket, and the start failed with `getaddrinfo ENOTFOUND base`. The text may hold a
 * password, so the error shows at most its scheme. (WHATWG's URL refuses the socket form
 * `postgres://user@/db?host=/run/postgresql`, which pg takes, so only the scheme is checked.)
 */
function databaseUrl(text: string): string {
  if (/^postgres(ql)?:\/\//i.test(text)) return text;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
  throw new Error(
    scheme
      ? `DATABASE_URL must be a postgres:// URL, got a ${scheme}: URL`
      : 'DATABASE_URL must be a URL like postgres://user:password@host:5432/database, got text that is not a URL',
  );
}
