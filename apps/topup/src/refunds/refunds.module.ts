import { Module } from '@nestjs/common';
import { EntriesModule } from '../entries/entries.module';
import { StripeModule } from '../stripe/stripe.module';
import { RefundsService } from './refunds.service';

@Module({
  imports: [EntriesModule, StripeModule],
  providers: [RefundsService],
  exports: [RefundsService],
})
export class RefundsModule {}
