import { DEFAULT_DATABASE_URL, assertSchemaName, databaseConfigFromEnv } from './database.config';

describe('database configuration', () => {
  it('defaults to the local test database and the service schema', () => {
    expect(databaseConfigFromEnv('ledger', {})).toEqual({
      url: DEFAULT_DATABASE_URL,
      schema: 'ledger',
      poolSize: 10,
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 30_000,
    });
  });

  it('reads DATABASE_URL, DB_SCHEMA, DB_POOL_SIZE and the timeouts', () => {
    const env = {
      DATABASE_URL: 'postgres://u@db:5433/tally',
      DB_SCHEMA: 'ledger_blue',
      DB_POOL_SIZE: '4',
      DB_CONNECT_TIMEOUT_MS: '2000',
      DB_STATEMENT_TIMEOUT_MS: '0',
    };
    expect(databaseConfigFromEnv('ledger', env)).toEqual({
      url: 'postgres://u@db:5433/tally',
      schema: 'ledger_blue',
      poolSize: 4,
      connectTimeoutMs: 2_000,
      statementTimeoutMs: 0,
    });
  });

  it('refuses schema names that could break out of an identifier, and bad pool sizes', () => {
    expect(() => assertSchemaName('ledger"; DROP SCHEMA x; --')).toThrow('invalid schema name');
    expect(() => databaseConfigFromEnv('Ledger', {})).toThrow('invalid schema name');
    expect(() => databaseConfigFromEnv('ledger', { DB_POOL_SIZE: 'many' })).toThrow(
      'DB_POOL_SIZE must be a positive integer',
    );
  });

  it('refuses a DATABASE_URL that is not a postgres:// URL without showing its password', () => {
    const refusal = (url: string) => () => databaseConfigFromEnv('ledger', { DATABASE_URL: url });
    expect(refusal('postgres//tally:secret@db/tally')).toThrow(
      'DATABASE_URL must be a URL like postgres://user:password@host:5432/database, got text that is not a URL',
    );
    expect(refusal('mysql://tally:secret@db/tally')).toThrow(
      'DATABASE_URL must be a postgres:// URL, got a mysql: URL',
    );
    for (const url of ['postgresql://db/tally', 'postgres://postgres@/test?host=/run/postgresql'])
      expect(databaseConfigFromEnv('ledger', { DATABASE_URL: url }).url).toBe(url);
  });
});
