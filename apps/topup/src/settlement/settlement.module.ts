import { Module } from '@nestjs/common';
import { AutoTopUpStatusModule } from '../auto-topup-status/auto-topup-status.module';
import { EntriesModule } from '../entries/entries.module';
import { SettlementService } from './settlement.service';

@Module({
  imports: [EntriesModule, AutoTopUpStatusModule],
  providers: [SettlementService],
  exports: [SettlementService],
})
export class SettlementModule {}
