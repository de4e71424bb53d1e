import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { UsageConsumer } from './usage.consumer';
import { UsageController } from './usage.controller';
import { UsageRollupsStore } from './usage-rollups.store';
import { UsageService } from './usage.service';

@Module({
  imports: [AccountsModule],
  controllers: [UsageController],
  providers: [UsageService, UsageRollupsStore, UsageConsumer],
  exports: [UsageRollupsStore],
})
export class UsageModule {}
