import { Inject, Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Topics, parseUsageEvent, usageDedupKey } from '@tally/budget-domain';
import type { ConsumedMessage } from '@tally/messaging';
import { MessagingService, enqueueOutbox, jsonMessage, triage } from '@tally/messaging';
import { counter } from '@tally/platform';
import { DataSource } from 'typeorm';
import type { MeteringConfig } from '../config/metering.config';
import { METERING_CONFIG } from '../config/metering.tokens';
import { RatingService } from './rating.service';

const INBOX = 'usage.events';
const ratedTotal = counter('tally_metering_rated_total', 'Usage events rated');
const deadLetteredTotal = counter(
  'tally_metering_dead_lettered_total',
  'Usage records dead-lettered',
);
const duplicatesTotal = counter(
  'tally_metering_duplicates_total',
  'Usage records seen before and skipped',
);

/**
 * Consumes usage.events in batches. Per slice, one transaction claims the inbox ids (dedupe
 * on source + id) and writes the rated events and dead-letter records to the outbox.
 */
@Injectable()
export class UsageEventsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly rating: RatingService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(METERING_CONFIG) private readonly config: MeteringConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consume({
      topics: [Topics.UsageEvents],
      handler: (messages) => this.handle(messages),
    });
  }

  async handle(messages: ConsumedMessage[]): Promise<void> {
    const now = new Date();
    const { maxEventAgeMs, maxFutureSkewMs } = this.config.rating;
    const { accepted, rejected } = triage(
      messages,
      (value) => parseUsageEvent(value, { now, maxAgeMs: maxEventAgeMs, maxFutureSkewMs }),
      usageDedupKey,
      { topic: this.messaging.topic(Topics.UsageDeadLetter), service: 'metering', at: now },
    );
    const ratedTopic = this.messaging.topic(Topics.UsageRated);
    const written = await this.dataSource.transaction(async (manager) => {
      const events = await this.messaging.claimNew(manager, INBOX, accepted);
      const deadLetters = await this.messaging.claimNew(manager, INBOX, rejected);
      const rated = events.map(({ value }) => this.rating.rate(value));
      await enqueueOutbox(manager, [
        ...rated.map((usage) => jsonMessage(ratedTopic, usage.account_id, usage)),
        ...deadLetters.map((item) => item.deadLetter),
      ]);
      return { rated: rated.length, deadLettered: deadLetters.length };
    });
    this.messaging.outboxCommitted();
    ratedTotal.inc(written.rated);
    deadLetteredTotal.inc(written.deadLettered);
    duplicatesTotal.inc(messages.length - written.rated - written.deadLettered);
  }
}
