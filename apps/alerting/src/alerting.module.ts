import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { DynamicModule } from '@nestjs/common';
import { Topics } from '@tally/budget-domain';
import { MessagingModule } from '@tally/messaging';
import { PersistenceModule } from '@tally/persistence';
import { ObservabilityModule, ServiceExceptionFilter } from '@tally/platform';
import { ALERTING_HTTP_STATUS } from './alerting-http-status';
import { BalancesModule } from './balances/balances.module';
import { CommandsModule, ALERTING_COMMAND_PATTERNS } from './commands/commands.module';
import type { AlertingConfig } from './config/alerting.config';
import { ALERTING_CONFIG } from './config/alerting.tokens';
import { ALERTING_MIGRATIONS } from './migrations/alerting.migrations';
import { TopUpsModule } from './topups/topups.module';
import { UsageModule } from './usage/usage.module';

const ALERTING_TOPICS = [
  Topics.LedgerBalanceChanged,
  Topics.UsageRated,
  Topics.LedgerTransactions,
  Topics.TopUpStatusChanged,
  Topics.PaymentsEvents,
  Topics.AlertsFired,
  Topics.UsageDeadLetter,
];

/** The alerting service: balances, usage and top-up facts in, alerts.fired and deliveries out. */
@Module({})
export class AlertingModule {
  static forRoot(config: AlertingConfig): DynamicModule {
    return {
      module: AlertingModule,
      global: true,
      imports: [
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            config: config.database,
            applicationName: 'tally-alerting',
            migrations: ALERTING_MIGRATIONS,
          }),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            kafka: config.kafka,
            service: 'alerting',
            topics: ALERTING_TOPICS,
            commandPatterns: ALERTING_COMMAND_PATTERNS,
          }),
        }),
        ObservabilityModule,
        BalancesModule,
        UsageModule,
        TopUpsModule,
        CommandsModule,
      ],
      providers: [
        { provide: ALERTING_CONFIG, useValue: config },
        { provide: APP_FILTER, useValue: new ServiceExceptionFilter(ALERTING_HTTP_STATUS) },
      ],
      exports: [ALERTING_CONFIG],
    };
  }
}
