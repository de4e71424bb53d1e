import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { CreditsService } from './credits.service';
import { CreditsStore } from './credits.store';

@Module({
  imports: [BooksModule],
  providers: [CreditsService, CreditsStore],
  exports: [CreditsService],
})
export class CreditsModule {}
