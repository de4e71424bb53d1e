import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CommandsModule } from '../commands/commands.module';
import { AlertsConsumer } from './alerts.consumer';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';
import { AlertsStore } from './alerts.store';

@Module({
  imports: [AccountsModule, CommandsModule],
  controllers: [AlertsController],
  providers: [AlertsService, AlertsStore, AlertsConsumer],
})
export class AlertsModule {}
