import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { BooksModule } from '../books/books.module';
import { BudgetsService } from './budgets.service';

@Module({
  imports: [BooksModule, AccountsModule],
  providers: [BudgetsService],
  exports: [BudgetsService],
})
export class BudgetsModule {}
