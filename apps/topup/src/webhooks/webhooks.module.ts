import { Module } from '@nestjs/common';
import { AutoTopUpStatusModule } from '../auto-topup-status/auto-topup-status.module';
import { AutoTopUpModule } from '../auto-topup/auto-topup.module';
import { EntriesModule } from '../entries/entries.module';
import { RefundsModule } from '../refunds/refunds.module';
import { SettlementModule } from '../settlement/settlement.module';
import { StripeModule } from '../stripe/stripe.module';
import { StripeEventsStore } from './stripe-events.store';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [
    AutoTopUpModule,
    AutoTopUpStatusModule,
    EntriesModule,
    RefundsModule,
    SettlementModule,
    StripeModule,
  ],
  controllers: [WebhooksController],
  providers: [WebhooksService, StripeEventsStore],
})
export class WebhooksModule {}
