import { Module } from '@nestjs/common';
import type {
  DynamicModule,
  InjectionToken,
  ModuleMetadata,
  OptionalFactoryDependency,
} from '@nestjs/common';
import { KAFKA_PING } from '@tally/platform';
import type { MessagingOptions } from './messaging.service';
import { MESSAGING_OPTIONS, MessagingService } from './messaging.service';

export interface MessagingModuleOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: Array<InjectionToken | OptionalFactoryDependency>;
  readonly useFactory: (...args: never[]) => MessagingOptions;
}

@Module({})
export class MessagingModule {
  static forRootAsync(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: MESSAGING_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory,
        },
        MessagingService,
        { provide: KAFKA_PING, useExisting: MessagingService },
      ],
      exports: [MessagingService, KAFKA_PING],
    };
  }
}
