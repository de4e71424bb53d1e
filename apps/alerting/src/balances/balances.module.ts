import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { BalanceChangedConsumer } from './balance-changed.consumer';
import { BalanceStatesStore } from './balance-states.store';

@Module({
  imports: [AlertsModule],
  providers: [BalanceChangedConsumer, BalanceStatesStore],
  exports: [BalanceStatesStore],
})
export class BalancesModule {}
