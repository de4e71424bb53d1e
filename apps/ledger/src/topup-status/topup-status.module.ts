import { Module } from '@nestjs/common';
import { TopUpStatusConsumer } from './topup-status.consumer';
import { TopUpStatusService } from './topup-status.service';
import { TopUpStatusStore } from './topup-status.store';

@Module({
  providers: [TopUpStatusConsumer, TopUpStatusService, TopUpStatusStore],
  exports: [TopUpStatusService],
})
export class TopUpStatusModule {}
