export { DEFAULT_DATABASE_URL, assertSchemaName, databaseConfigFromEnv } from './database.config';
export type { DatabaseConfig } from './database.config';
export { createDataSource, dataSourceOptions } from './data-source.factory';
export type { DataSourceDefinition } from './data-source.factory';
export { runMigrations, schemaOf } from './migration.runner';
export { decimalTransformer, MoneyColumn } from './decimal.transformer';
export { PersistenceModule } from './persistence.module';
export type { PersistenceModuleOptions } from './persistence.module';
export { returningRows } from './returning-rows';
