import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CommandsModule } from '../commands/commands.module';
import { TopUpsConsumer } from './topups.consumer';
import { TopUpsController } from './topups.controller';
import { TopUpsService } from './topups.service';
import { TopUpsStore } from './topups.store';

@Module({
  imports: [AccountsModule, CommandsModule],
  controllers: [TopUpsController],
  providers: [TopUpsService, TopUpsStore, TopUpsConsumer],
})
export class TopUpsModule {}
