import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { PaymentsConsumer } from './payments.consumer';

@Module({ imports: [BooksModule], providers: [PaymentsConsumer] })
export class PaymentsModule {}
