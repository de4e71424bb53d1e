import { Module } from '@nestjs/common';
import { RatingService } from './rating.service';
import { UsageEventsConsumer } from './usage-events.consumer';

@Module({
  providers: [RatingService, UsageEventsConsumer],
  exports: [RatingService],
})
export class RatingModule {}
