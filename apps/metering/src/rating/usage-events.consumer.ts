import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Topics, parseUsageEvent, usageDedupKey } from '@tally/budget-domain';
import type { UsageEvent } from '@tally/budget-domain';
import { MessagingService, dedupeKeysInOutbox } from '@tally/messaging';
import type { OutboxDedupe } from '@tally/messaging';
import type { MeteringConfig } from '../config/metering.config';
import { METERING_CONFIG } from '../config/metering.tokens';
import { RatingService } from './rating.service';

/**
 * usage.events -> usage.rated, each event (source + id) once; bad records are dead-lettered.
 * The rated record's outbox row is the event's dedupe record (ADR 0041): one row per event.
 */
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
      fillsBatches: true,
      decode: (value, now) =>
        parseUsageEvent(value, { now, maxAgeMs: maxEventAgeMs, maxFutureSkewMs }),
      idOf: usageDedupKey,
      appliedIds: (events, tx) => dedupeKeysInOutbox(tx.manager, events.map(dedupeOf)),
      effect: async (events, tx) => {
        for (const event of events) {
          const usage = this.rating.rate(event);
          tx.publish(Topics.UsageRated, usage.account_id, usage, { dedupe: dedupeOf(event) });
        }
      },
    });
  }
}

/** An event's dedupe record lives in the partition of the day it happened, whenever it arrives. */
function dedupeOf(event: UsageEvent): OutboxDedupe {
  return { key: usageDedupKey(event), day: event.time.slice(0, 10) };
}
