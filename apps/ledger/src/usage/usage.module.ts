import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { PlansModule } from '../plans/plans.module';
import { UsageRatedConsumer } from './usage-rated.consumer';

@Module({ imports: [BooksModule, PlansModule], providers: [UsageRatedConsumer] })
export class UsageModule {}
