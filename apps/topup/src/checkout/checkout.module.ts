import { Module } from '@nestjs/common';
import { AutoTopUpStatusModule } from '../auto-topup-status/auto-topup-status.module';
import { EntriesModule } from '../entries/entries.module';
import { StripeModule } from '../stripe/stripe.module';
import { CheckoutService } from './checkout.service';

@Module({
  imports: [AutoTopUpStatusModule, EntriesModule, StripeModule],
  providers: [CheckoutService],
  exports: [CheckoutService],
})
export class CheckoutModule {}
