import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { BalancesService } from './balances.service';

@Module({ imports: [BooksModule], providers: [BalancesService], exports: [BalancesService] })
export class BalancesModule {}
