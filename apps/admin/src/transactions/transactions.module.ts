import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { UsageModule } from '../usage/usage.module';
import { TransactionsConsumer } from './transactions.consumer';
import { TransactionsController } from './transactions.controller';
import { TransactionsService } from './transactions.service';
import { TransactionsStore } from './transactions.store';

@Module({
  imports: [AccountsModule, UsageModule],
  controllers: [TransactionsController],
  providers: [TransactionsService, TransactionsStore, TransactionsConsumer],
  exports: [TransactionsService],
})
export class TransactionsModule {}
