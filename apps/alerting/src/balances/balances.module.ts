import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { PositionsModule } from '../positions/positions.module';
import { BalanceChangedConsumer } from './balance-changed.consumer';
import { BalanceStatesStore } from './balance-states.store';

@Module({
  imports: [AlertsModule, PositionsModule],
  providers: [BalanceChangedConsumer, BalanceStatesStore],
  exports: [BalanceStatesStore],
})
export class BalancesModule {}
