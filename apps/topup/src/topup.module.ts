import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { DynamicModule } from '@nestjs/common';
import { Topics } from '@tally/budget-domain';
import { MessagingModule } from '@tally/messaging';
import { PersistenceModule } from '@tally/persistence';
import { ObservabilityModule, ServiceExceptionFilter } from '@tally/platform';
import type { TopUpConfig } from './config/topup.config';
import { TOPUP_CONFIG } from './config/topup.tokens';
import { TOPUP_MIGRATIONS } from './migrations/topup.migrations';
import { AutoTopUpModule } from './auto-topup/auto-topup.module';
import { CommandsModule, TOPUP_COMMAND_PATTERNS } from './commands/commands.module';
import { TOPUP_HTTP_STATUS } from './topup-http-status';
import { WebhooksModule } from './webhooks/webhooks.module';

const TOPUP_TOPICS = [
  Topics.LedgerBalanceChanged,
  Topics.PaymentsEvents,
  Topics.TopUpStatusChanged,
  Topics.UsageDeadLetter,
];

/** The top-up service: Stripe in, payments.events and topup.status-changed out. */
@Module({})
export class TopUpModule {
  static forRoot(config: TopUpConfig): DynamicModule {
    return {
      module: TopUpModule,
      global: true,
      imports: [
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            config: config.database,
            applicationName: 'tally-topup',
            migrations: TOPUP_MIGRATIONS,
          }),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            kafka: config.kafka,
            service: 'topup',
            topics: TOPUP_TOPICS,
            commandPatterns: TOPUP_COMMAND_PATTERNS,
          }),
        }),
        ObservabilityModule,
        AutoTopUpModule,
        WebhooksModule,
        CommandsModule,
      ],
      providers: [
        { provide: TOPUP_CONFIG, useValue: config },
        { provide: APP_FILTER, useValue: new ServiceExceptionFilter(TOPUP_HTTP_STATUS) },
      ],
      exports: [TOPUP_CONFIG],
    };
  }
}
