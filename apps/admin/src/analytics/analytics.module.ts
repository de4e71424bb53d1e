import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { UsageModule } from '../usage/usage.module';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';

@Module({
  imports: [AccountsModule, UsageModule],
  controllers: [AnalyticsController],
  providers: [AnalyticsService],
})
export class AnalyticsModule {}
