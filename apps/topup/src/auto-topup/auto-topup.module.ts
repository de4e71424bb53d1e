import { Module } from '@nestjs/common';
import { AutoTopUpStatusModule } from '../auto-topup-status/auto-topup-status.module';
import { EntriesModule } from '../entries/entries.module';
import { SettlementModule } from '../settlement/settlement.module';
import { StripeModule } from '../stripe/stripe.module';
import { AutoTopUpDecisionService } from './auto-topup-decision.service';
import { AutoTopUpRecheckService } from './auto-topup-recheck.service';
import { AutoTopUpService } from './auto-topup.service';
import { BalanceChangedConsumer } from './balance-changed.consumer';
import { ChargerService } from './charger.service';

@Module({
  imports: [AutoTopUpStatusModule, EntriesModule, SettlementModule, StripeModule],
  providers: [
    AutoTopUpService,
    AutoTopUpDecisionService,
    AutoTopUpRecheckService,
    BalanceChangedConsumer,
    ChargerService,
  ],
  exports: [AutoTopUpService, ChargerService],
})
export class AutoTopUpModule {}
