import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { UsageRatedConsumer } from './usage-rated.consumer';

@Module({ imports: [BooksModule], providers: [UsageRatedConsumer] })
export class UsageModule {}
