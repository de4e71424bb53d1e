import { Module } from '@nestjs/common';
import { BudgetStore } from '../budgets/budget.store';
import { HoldsModule } from '../holds/holds.module';
import { LedgerStore } from './ledger.store';
import { PostingService } from './posting.service';
import { UsageRatedConsumer } from './usage-rated.consumer';

@Module({
  imports: [HoldsModule],
  providers: [LedgerStore, BudgetStore, PostingService, UsageRatedConsumer],
  exports: [LedgerStore, BudgetStore, PostingService],
})
export class PostingsModule {}
