import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { AccountsConsumer } from './accounts.consumer';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { AccountsStore } from './accounts.store';
import { SystemTotalsStore } from './system-totals.store';

@Module({
  imports: [CommandsModule],
  controllers: [AccountsController],
  providers: [AccountsService, AccountsStore, SystemTotalsStore, AccountsConsumer],
  exports: [AccountsService, AccountsStore, SystemTotalsStore],
})
export class AccountsModule {}
