import { Module } from '@nestjs/common';
import type {
  DynamicModule,
  InjectionToken,
  ModuleMetadata,
  OptionalFactoryDependency,
} from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DataSourceDefinition } from './data-source.factory';
import { dataSourceOptions } from './data-source.factory';
import { CommitsNotDurableError, assertCommitsAreDurable } from './durable-commits';
import { runMigrations } from './migration.runner';

export interface PersistenceModuleOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: Array<InjectionToken | OptionalFactoryDependency>;
  readonly useFactory: (...args: never[]) => DataSourceDefinition;
}

/**
 * The service's TypeORM data source, with its schema created and its migrations applied
 * before anything else in the service touches the database. A service whose commits would not
 * be durable does not start (ADR 0057).
 */
@Module({})
export class PersistenceModule {
  static forRootAsync(options: PersistenceModuleOptions): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: options.imports,
          inject: options.inject,
          useFactory: (...args: unknown[]) => ({
            ...dataSourceOptions(options.useFactory(...(args as never[]))),
            retryAttempts: 3,
            retryDelay: 1000,
            // A setting does not change by trying again.
            toRetry: (error: unknown) => !(error instanceof CommitsNotDurableError),
          }),
          dataSourceFactory: async (dataSourceOptionsFromNest) => {
            if (!dataSourceOptionsFromNest) throw new Error('no data source options');
            const dataSource = await new DataSource(dataSourceOptionsFromNest).initialize();
            try {
              await assertCommitsAreDurable(dataSource);
            } catch (error) {
              await dataSource.destroy();
              throw error;
            }
            await runMigrations(dataSource);
            return dataSource;
          },
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
