import { DataSource } from 'typeorm';
import type { EntitySchema, MixedList } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from './database.config';
import type { DatabaseConfig } from './database.config';

export interface DataSourceDefinition {
  readonly config: DatabaseConfig;
  /** Shown in pg_stat_activity, so a slow query names its service. */
  readonly applicationName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations?: MixedList<Function | string>;
}

/**
 * One data source per service, shared by Nest and the migration runner. Unqualified SQL
 * (migrations, hand-written batch statements) resolves to the service's own schema through
 * the connection's search_path; entities are qualified by the `schema` option.
 */
export function createDataSource(definition: DataSourceDefinition): DataSource {
  return new DataSource(dataSourceOptions(definition));
}

export function dataSourceOptions(definition: DataSourceDefinition): PostgresDataSourceOptions {
  const { config } = definition;
  return {
    type: 'postgres',
    url: config.url,
    schema: config.schema,
    applicationName: definition.applicationName,
    entities: definition.entities ?? [],
    migrations: definition.migrations ?? [],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    useUTC: true,
    extra: {
      max: config.poolSize,
      // Bounded waits (ADR 0180): a request or batch fails and is tried again instead of hanging.
      connectionTimeoutMillis: config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      options: `-c search_path=${config.schema},public -c timezone=UTC -c statement_timeout=${
        config.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS
      }`,
    },
  };
}
