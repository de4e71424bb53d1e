import { Module } from '@nestjs/common';
import { AutoTopUpSettingsStore } from './auto-topup-settings.store';
import { AutoTopUpStatusService } from './auto-topup-status.service';

@Module({
  providers: [AutoTopUpSettingsStore, AutoTopUpStatusService],
  exports: [AutoTopUpSettingsStore, AutoTopUpStatusService],
})
export class AutoTopUpStatusModule {}
