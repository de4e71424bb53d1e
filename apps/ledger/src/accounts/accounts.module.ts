import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { AccountsService } from './accounts.service';
import { AccountsStore } from './accounts.store';

@Module({
  imports: [BooksModule],
  providers: [AccountsService, AccountsStore],
  exports: [AccountsService, AccountsStore],
})
export class AccountsModule {}
