import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { CreditsService } from './credits.service';

@Module({ imports: [BooksModule], providers: [CreditsService], exports: [CreditsService] })
export class CreditsModule {}
