import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CommandsModule } from '../commands/commands.module';
import { CouponsController } from './coupons.controller';
import { CouponsService } from './coupons.service';

@Module({
  imports: [AccountsModule, CommandsModule],
  controllers: [CouponsController],
  providers: [CouponsService],
})
export class CouponsModule {}
