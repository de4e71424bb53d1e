import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { DynamicModule } from '@nestjs/common';
import { Topics } from '@tally/budget-domain';
import { MESSAGING_MIGRATIONS, MessagingModule } from '@tally/messaging';
import { PersistenceModule } from '@tally/persistence';
import { ObservabilityModule } from '@tally/platform';
import type { LedgerConfig } from './config/ledger.config';
import { LEDGER_CONFIG } from './config/ledger.tokens';
import { CreateLedger1763856000100 } from './migrations/1763856000100-create-ledger.migration';
import { AccountsModule } from './accounts/accounts.module';
import { AuthorizationsModule } from './authorizations/authorizations.module';
import { CreditsModule } from './credits/credits.module';
import { LedgerExceptionFilter } from './ledger-exception.filter';
import { CreateKeysAndReservations1763856000200 } from './migrations/1763856000200-keys-and-reservations.migration';
import { PostingsModule } from './postings/postings.module';

const LEDGER_TOPICS = [
  Topics.UsageRated,
  Topics.PaymentsEvents,
  Topics.UsageDeadLetter,
  Topics.LedgerTransactions,
  Topics.LedgerBalanceChanged,
];

/** The ledger service: the only place money moves. */
@Module({})
export class LedgerModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: LedgerModule,
      global: true,
      imports: [
        PersistenceModule.forRootAsync({
          useFactory: () => ({
            config: config.database,
            applicationName: 'tally-ledger',
            migrations: [...MESSAGING_MIGRATIONS, CreateLedger1763856000100, CreateKeysAndReservations1763856000200],
          }),
        }),
        MessagingModule.forRootAsync({
          useFactory: () => ({ kafka: config.kafka, service: 'ledger', topics: LEDGER_TOPICS }),
        }),
        ObservabilityModule,
        PostingsModule,
        AccountsModule,
        CreditsModule,
        AuthorizationsModule,
      ],
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: LedgerExceptionFilter },
      ],
      exports: [LEDGER_CONFIG],
    };
  }
}
