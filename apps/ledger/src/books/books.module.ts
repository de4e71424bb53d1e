import { Module } from '@nestjs/common';
import { HoldsModule } from '../holds/holds.module';
import { Books } from './books.service';
import { BudgetStore } from './budget.store';
import { LedgerStore } from './ledger.store';

/** The books: balances, budget periods, and the one way to post to them (`Books.transact`). */
@Module({
  imports: [HoldsModule],
  providers: [LedgerStore, BudgetStore, Books],
  exports: [LedgerStore, BudgetStore, Books, HoldsModule],
})
export class BooksModule {}
