import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { DynamicModule } from '@nestjs/common';
import { Topics } from '@tally/budget-domain';
import { MessagingModule } from '@tally/messaging';
import { PersistenceModule } from '@tally/persistence';
import { ObservabilityModule, ServiceExceptionFilter } from '@tally/platform';
import { AccessGuard } from './access/access.guard';
import { AccountsModule } from './accounts/accounts.module';
import { AlertsModule } from './alerts/alerts.module';
import { AnalyticsModule } from './analytics/analytics.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { BudgetsModule } from './budgets/budgets.module';
import { CouponsModule } from './coupons/coupons.module';
import { CreditsModule } from './credits/credits.module';
import { adminHttpStatus } from './admin-http-status';
import { ADMIN_COMMAND_PATTERNS } from './commands/command-patterns';
import type { AdminConfig } from './config/admin.config';
import { ADMIN_CONFIG } from './config/admin.tokens';
import { ADMIN_MIGRATIONS } from './migrations/admin.migrations';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import { PlansModule } from './plans/plans.module';
import { TokensModule } from './tokens/tokens.module';
import { TopUpsModule } from './topups/topups.module';
import { TransactionsModule } from './transactions/transactions.module';
import { UsageModule } from './usage/usage.module';

/** Topics admin projects into its read models. */
const ADMIN_TOPICS = [
  Topics.UsageRated,
  Topics.LedgerTransactions,
  Topics.LedgerBalanceChanged,
  Topics.PaymentsEvents,
  Topics.TopUpStatusChanged,
  Topics.AlertsFired,
  Topics.UsageDeadLetter,
];

/** The admin service: the public REST API, its read models, and the dashboard. */
@Module({})
export class AdminModule {
  static forRoot(config: AdminConfig): DynamicModule {
    return {
      module: AdminModule,
      global: true,
      imports: [
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            config: config.database,
            applicationName: 'tally-admin',
            migrations: ADMIN_MIGRATIONS,
          }),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            kafka: config.kafka,
            service: 'admin',
            topics: ADMIN_TOPICS,
            commandPatterns: ADMIN_COMMAND_PATTERNS,
          }),
        }),
        ObservabilityModule,
        AccountsModule,
        TokensModule,
        ApiKeysModule,
        BudgetsModule,
        CreditsModule,
        TransactionsModule,
        UsageModule,
        AlertsModule,
        TopUpsModule,
        PlansModule,
        CouponsModule,
        AnalyticsModule,
        DeadLettersModule,
      ],
      providers: [
        { provide: ADMIN_CONFIG, useValue: config },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useValue: new ServiceExceptionFilter(adminHttpStatus) },
      ],
      exports: [ADMIN_CONFIG],
    };
  }
}
