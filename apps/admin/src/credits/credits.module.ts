import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CommandsModule } from '../commands/commands.module';
import { TransactionsModule } from '../transactions/transactions.module';
import { CreditsController } from './credits.controller';
import { CreditsService } from './credits.service';
import { CreditsStore } from './credits.store';

@Module({
  imports: [AccountsModule, CommandsModule, TransactionsModule],
  controllers: [CreditsController],
  providers: [CreditsService, CreditsStore],
})
export class CreditsModule {}
