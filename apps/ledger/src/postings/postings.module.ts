import { Module } from '@nestjs/common';
import { LedgerStore } from './ledger.store';
import { PostingService } from './posting.service';
import { UsageRatedConsumer } from './usage-rated.consumer';

@Module({
  providers: [LedgerStore, PostingService, UsageRatedConsumer],
  exports: [LedgerStore, PostingService],
})
export class PostingsModule {}
