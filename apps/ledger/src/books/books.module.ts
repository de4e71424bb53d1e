import { Module } from '@nestjs/common';
import { HoldsModule } from '../holds/holds.module';
import { AnnouncedHoldsStore } from './announced-holds.store';
import { Books } from './books.service';
import { BudgetStore } from './budget.store';
import { LedgerStore } from './ledger.store';

/** The books: balances, budget periods, and the one way to post to them (`Books.transact`). */
@Module({
  imports: [HoldsModule],
  providers: [LedgerStore, BudgetStore, AnnouncedHoldsStore, Books],
  exports: [LedgerStore, BudgetStore, AnnouncedHoldsStore, Books, HoldsModule],
})
export class BooksModule {}
