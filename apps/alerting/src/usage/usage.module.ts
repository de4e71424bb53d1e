import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { BalancesModule } from '../balances/balances.module';
import { PositionsModule } from '../positions/positions.module';
import { UsageRatedConsumer } from './usage-rated.consumer';
import { UsageRollupsStore } from './usage-rollups.store';

@Module({
  imports: [AlertsModule, BalancesModule, PositionsModule],
  providers: [UsageRatedConsumer, UsageRollupsStore],
})
export class UsageModule {}
