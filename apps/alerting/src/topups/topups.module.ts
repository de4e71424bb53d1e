import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { BalancesModule } from '../balances/balances.module';
import { PositionsModule } from '../positions/positions.module';
import { PaymentsConsumer } from './payments.consumer';
import { TopUpStatesStore } from './topup-states.store';
import { TopUpStatusConsumer } from './topup-status.consumer';

@Module({
  imports: [AlertsModule, BalancesModule, PositionsModule],
  providers: [TopUpStatusConsumer, PaymentsConsumer, TopUpStatesStore],
})
export class TopUpsModule {}
