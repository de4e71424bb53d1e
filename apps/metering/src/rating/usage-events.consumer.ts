import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Topics, parseUsageEvent, usageDedupKey } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import type { MeteringConfig } from '../config/metering.config';
import { METERING_CONFIG } from '../config/metering.tokens';
import { RatingService } from './rating.service';

/** usage.events -> usage.rated, each event (source + id) once; bad records are dead-lettered. */
@Injectable()
export class UsageEventsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly rating: RatingService,
    @Inject(METERING_CONFIG) private readonly config: MeteringConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { maxEventAgeMs, maxFutureSkewMs } = this.config.rating;
    await this.messaging.consumeTransactionally({
      topic: Topics.UsageEvents,
      decode: (value, now) =>
        parseUsageEvent(value, { now, maxAgeMs: maxEventAgeMs, maxFutureSkewMs }),
      idOf: usageDedupKey,
      effect: async (events, tx) => {
        for (const event of events) {
          const usage = this.rating.rate(event);
          tx.publish(Topics.UsageRated, usage.account_id, usage);
        }
      },
    });
  }
}
