import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Topics, calendarMonthOf, parseUsageRated, usageDedupKey } from '@tally/budget-domain';
import type { UsageRated } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import { counter } from '@tally/platform';
import type { OutboxTransaction } from '@tally/messaging';
import { Books } from '../books/books.service';
import { LedgerStore } from '../books/ledger.store';
import { HoldsStore } from '../holds/holds.store';
import type { Settlement } from '../holds/holds.store';
import { Clock } from '../clock';
import { PlansStore } from '../plans/plans.store';
import type { MonthDelta } from '../plans/plans.store';
import { recordUsage } from './usage-posting';

const charged = counter(
  'tally_ledger_usage_charged_total',
  'What usage was charged, in the currency (a rate for dashboards; the books hold the exact sums)',
  ['currency'],
);

/**
 * usage.rated -> one usage transaction per account per slice with a line per event, each event
 * (source + id) once, charged on the account's plan (ADR 0042); the holds the events name are
 * settled in the same transaction, and the accounts' month counters move once per slice. A
 * usage event may name an account the ledger has not seen: it opens it (ADR 0003).
 */
@Injectable()
export class UsageRatedConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly books: Books,
    private readonly ledger: LedgerStore,
    private readonly holds: HoldsStore,
    private readonly plans: PlansStore,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.UsageRated,
      fillsBatches: true,
      decode: parseUsageRated,
      idOf: usageDedupKey,
      // The usage line of an event is its record of having been posted: no inbox row per event.
      appliedIds: (events, tx) =>
        this.ledger.postedLines(
          tx.manager,
          events.map((event) => ({ accountId: event.account_id, sourceId: usageDedupKey(event) })),
        ),
      effect: (events, tx, now) => this.post(events, tx, now),
      now: () => this.clock.now(),
    });
  }

  private post(events: UsageRated[], tx: OutboxTransaction, now: Date): Promise<void> {
    const byAccount = new Map<string, UsageRated[]>();
    for (const event of events) {
      const accountEvents = byAccount.get(event.account_id);
      if (accountEvents) accountEvents.push(event);
      else byAccount.set(event.account_id, [event]);
    }
    const accountIds = [...byAccount.keys()];
    return this.books.transact(tx, { accountIds, now, open: 'usage' }, async (books) => {
      // Read under the accounts' locks, which every posting takes first: the month's counters
      // cannot move under this slice.
      const month = calendarMonthOf(now);
      const terms = await this.plans.chargeTerms(tx.manager, accountIds, month, now);
      const months: MonthDelta[] = [];
      const settlements: Settlement[] = [];
      const chargedIn = new Map<string, number>();
      for (const [accountId, accountEvents] of byAccount) {
        const accountTerms = terms.get(accountId);
        if (!accountTerms) throw new Error(`no charge terms for ${accountId}`);
        const posted = recordUsage(books, accountId, accountEvents, accountTerms);
        months.push(posted.month);
        posted.lines.forEach((line, index) => {
          const currency = accountEvents[index]?.currency ?? 'USD';
          chargedIn.set(currency, (chargedIn.get(currency) ?? 0) + line.charged.toNumber());
          if (line.reservationId)
            settlements.push({
              accountId,
              reservationId: line.reservationId,
              apiKeyId: line.apiKeyId,
              cost: line.charged.toFixed(),
            });
        });
      }
      await this.plans.addToMonth(tx.manager, month, months);
      tx.afterCommit(() => {
        for (const [currency, amount] of chargedIn) charged.inc({ currency }, amount);
      });
      await this.holds.settle(tx.manager, settlements, now);
    });
  }
}
