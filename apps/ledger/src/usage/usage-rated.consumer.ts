import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Topics, parseUsageRated, usageDedupKey } from '@tally/budget-domain';
import type { ConsumedMessage } from '@tally/messaging';
import { MessagingService, enqueueOutbox, triage } from '@tally/messaging';
import { counter } from '@tally/platform';
import { DataSource } from 'typeorm';
import { Clock } from '../clock';
import { PostingService } from './posting.service';

const INBOX = 'usage.rated';
const postedTotal = counter(
  'tally_ledger_usage_posted_total',
  'Rated usage events posted to the ledger',
);
const deadLetteredTotal = counter(
  'tally_ledger_dead_lettered_total',
  'Records the ledger could not use',
);

/**
 * Consumes usage.rated in batches: per slice, one transaction claims the inbox ids, posts the
 * usage and writes ledger.transactions and ledger.balance-changed to the outbox.
 */
@Injectable()
export class UsageRatedConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly postings: PostingService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consume({
      topics: [Topics.UsageRated],
      handler: (messages) => this.handle(messages),
    });
  }

  async handle(messages: ConsumedMessage[]): Promise<void> {
    const now = this.clock.now();
    const { accepted, rejected } = triage(messages, parseUsageRated, usageDedupKey, {
      topic: this.messaging.topic(Topics.UsageDeadLetter),
      service: 'ledger',
      at: now,
    });
    await this.dataSource.transaction(async (manager) => {
      const usage = await this.messaging.claimNew(manager, INBOX, accepted);
      const deadLetters = await this.messaging.claimNew(manager, INBOX, rejected);
      const announcements = await this.postings.postUsage(
        manager,
        usage.map((item) => item.value),
        now,
      );
      await enqueueOutbox(manager, [
        ...announcements,
        ...deadLetters.map((item) => item.deadLetter),
      ]);
      postedTotal.inc(usage.length);
      deadLetteredTotal.inc(deadLetters.length);
    });
    this.messaging.outboxCommitted();
  }
}
