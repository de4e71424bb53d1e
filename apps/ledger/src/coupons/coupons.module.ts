import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { CouponsService } from './coupons.service';
import { CouponsStore } from './coupons.store';

/** Coupons: created by admin, redeemed by code for an account. */
@Module({
  imports: [BooksModule],
  providers: [CouponsService, CouponsStore],
  exports: [CouponsService],
})
export class CouponsModule {}
