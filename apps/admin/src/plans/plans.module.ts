import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CommandsModule } from '../commands/commands.module';
import { MonthlyCapsController } from './monthly-caps.controller';
import { PlansController } from './plans.controller';
import { PlansService } from './plans.service';

@Module({
  imports: [AccountsModule, CommandsModule],
  controllers: [PlansController, MonthlyCapsController],
  providers: [PlansService],
})
export class PlansModule {}
