import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Topics, parseUsageRated } from '@tally/budget-domain';
import type { UsageRated } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import type { OutboxTransaction } from '@tally/messaging';
import { AccountsStore } from '../accounts/accounts.store';
import { SystemTotalsStore, emptyTotalsDelta } from '../accounts/system-totals.store';

/**
 * usage.rated -> the accounts it names, known as soon as metering rates their usage. The usage
 * rollups count the ledger's lines instead (ADR 0161): metering may rate one event twice (a
 * retry re-stamped across a UTC day, ADR 0041), the ledger posts it once.
 */
@Injectable()
export class UsageConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly accounts: AccountsStore,
    private readonly totals: SystemTotalsStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.UsageRated,
      fillsBatches: true,
      decode: parseUsageRated,
      // Touching an account twice changes nothing: the log position suffices, one row per slice.
      exactlyOnceBy: 'position',
      effect: (events, tx) => this.apply(events, tx),
    });
  }

  private async apply(events: UsageRated[], tx: OutboxTransaction): Promise<void> {
    const delta = emptyTotalsDelta();
    delta.accounts = await this.accounts.touch(
      tx.manager,
      events.map((event) => event.account_id),
    );
    await this.totals.add(tx.manager, delta);
  }
}
