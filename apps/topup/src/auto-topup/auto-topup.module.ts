import { Module } from '@nestjs/common';
import { AutoTopUpStatusModule } from '../auto-topup-status/auto-topup-status.module';
import { EntriesModule } from '../entries/entries.module';
import { SettlementModule } from '../settlement/settlement.module';
import { StripeModule } from '../stripe/stripe.module';
import { AutoTopUpService } from './auto-topup.service';
import { BalanceChangedConsumer } from './balance-changed.consumer';
import { ChargerService } from './charger.service';

@Module({
  imports: [AutoTopUpStatusModule, EntriesModule, SettlementModule, StripeModule],
  providers: [AutoTopUpService, BalanceChangedConsumer, ChargerService],
  exports: [AutoTopUpService, ChargerService],
})
export class AutoTopUpModule {}
