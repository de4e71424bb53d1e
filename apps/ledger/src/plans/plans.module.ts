import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { PlansService } from './plans.service';
import { PlansStore } from './plans.store';

/** Plans, their assignment to accounts, monthly caps and counters. */
@Module({
  imports: [BooksModule],
  providers: [PlansService, PlansStore],
  exports: [PlansService, PlansStore],
})
export class PlansModule {}
