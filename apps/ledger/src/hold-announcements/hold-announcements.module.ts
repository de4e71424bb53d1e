import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { HoldAnnouncements } from './hold-announcements.service';

/** Balances announced again when holds end without a posting (ADR 0102). */
@Module({ imports: [BooksModule], providers: [HoldAnnouncements], exports: [HoldAnnouncements] })
export class HoldAnnouncementsModule {}
