import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Topics, parseUsageRated, usageDedupKey } from '@tally/budget-domain';
import type { UsageRated } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import { counter } from '@tally/platform';
import type { OutboxTransaction } from '@tally/messaging';
import { Books } from '../books/books.service';
import { HoldsStore } from '../holds/holds.store';
import { Clock } from '../clock';
import { recordUsage } from './usage-posting';

const charged = counter(
  'tally_ledger_usage_charged_total',
  'What usage was charged, in the currency (a rate for dashboards; the books hold the exact sums)',
  ['currency'],
);

/**
 * usage.rated -> usage transactions, each event (source + id) once; the holds the events name
 * are settled in the same transaction. A usage event may name an account the ledger has not
 * seen: it opens it (ADR 0003).
 */
@Injectable()
export class UsageRatedConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly books: Books,
    private readonly holds: HoldsStore,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.UsageRated,
      decode: parseUsageRated,
      idOf: usageDedupKey,
      effect: (events, tx, now) => this.post(events, tx, now),
      now: () => this.clock.now(),
    });
  }

  private post(events: UsageRated[], tx: OutboxTransaction, now: Date): Promise<void> {
    const accountIds = events.map((event) => event.account_id);
    return this.books.transact(tx, { accountIds, now, open: 'usage' }, async (books) => {
      for (const event of events) recordUsage(books, event);
      tx.afterCommit(() => {
        for (const event of events) charged.inc({ currency: event.currency }, Number(event.cost));
      });
      await this.holds.settle(
        tx.manager,
        events.flatMap((event) =>
          event.reservation_id
            ? [
                {
                  accountId: event.account_id,
                  reservationId: event.reservation_id,
                  cost: event.cost,
                },
              ]
            : [],
        ),
        now,
      );
    });
  }
}
