import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { DynamicModule } from '@nestjs/common';
import { Topics } from '@tally/budget-domain';
import { MessagingModule } from '@tally/messaging';
import { PersistenceModule } from '@tally/persistence';
import { ObservabilityModule, ServiceExceptionFilter } from '@tally/platform';
import type { LedgerConfig } from './config/ledger.config';
import { LEDGER_CONFIG } from './config/ledger.tokens';
import { Clock, SystemClock } from './clock';
import { LEDGER_MIGRATIONS } from './migrations/ledger.migrations';
import { AccountsModule } from './accounts/accounts.module';
import { AuthorizationsModule } from './authorizations/authorizations.module';
import { CreditsModule } from './credits/credits.module';
import { LEDGER_HTTP_STATUS } from './ledger-http-status';
import { PaymentsModule } from './payments/payments.module';
import { BooksModule } from './books/books.module';
import { UsageModule } from './usage/usage.module';
import { BalancesModule } from './balances/balances.module';
import { HoldAnnouncementsModule } from './hold-announcements/hold-announcements.module';
import { CommandsModule, LEDGER_COMMAND_PATTERNS } from './commands/commands.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { TopUpStatusModule } from './topup-status/topup-status.module';

const LEDGER_TOPICS = [
  Topics.UsageRated,
  Topics.PaymentsEvents,
  Topics.TopUpStatusChanged,
  Topics.UsageDeadLetter,
  Topics.LedgerTransactions,
  Topics.LedgerBalanceChanged,
];

/** The ledger service: the only place money moves. */
@Module({})
export class LedgerModule {
  static forRoot(config: LedgerConfig, clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: LedgerModule,
      global: true,
      imports: [
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            config: config.database,
            applicationName: 'tally-ledger',
            migrations: LEDGER_MIGRATIONS,
          }),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({
            kafka: config.kafka,
            service: 'ledger',
            topics: LEDGER_TOPICS,
            commandPatterns: LEDGER_COMMAND_PATTERNS,
          }),
        }),
        ObservabilityModule,
        BooksModule,
        UsageModule,
        AccountsModule,
        CreditsModule,
        AuthorizationsModule,
        PaymentsModule,
        TopUpStatusModule,
        BalancesModule,
        HoldAnnouncementsModule,
        ReconciliationModule,
        CommandsModule,
      ],
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
        { provide: APP_FILTER, useValue: new ServiceExceptionFilter(LEDGER_HTTP_STATUS) },
      ],
      exports: [LEDGER_CONFIG, Clock],
    };
  }
}
