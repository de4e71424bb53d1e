import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { Topics, parseUsageRated } from '@tally/budget-domain';
import type { UsageRated } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import type { OutboxTransaction } from '@tally/messaging';
import { AccountsStore } from '../accounts/accounts.store';
import { SystemTotalsStore, emptyTotalsDelta } from '../accounts/system-totals.store';
import { utcDay } from './usage-day';
import { UsageRollupsStore } from './usage-rollups.store';
import type { UsageIncrement } from './usage-rollups.store';

const ZERO = new Decimal(0);

/**
 * usage.rated -> tokens and requests in the daily rollups (the cost comes from what the ledger
 * charged, ledger.transactions). Each record counts once.
 */
@Injectable()
export class UsageConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly accounts: AccountsStore,
    private readonly rollups: UsageRollupsStore,
    private readonly totals: SystemTotalsStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.UsageRated,
      fillsBatches: true,
      decode: parseUsageRated,
      // Published by metering's outbox, exactly once: the stored log position knows a
      // redelivery, with one row per slice instead of an inbox row per event.
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
    await this.rollups.add(tx.manager, events.map(usageIncrement));
    await this.totals.add(tx.manager, delta);
  }
}

export function usageIncrement(event: UsageRated): UsageIncrement {
  return {
    accountId: event.account_id,
    day: utcDay(event.occurred_at),
    service: event.service,
    provider: event.provider,
    model: event.model,
    apiKeyId: event.api_key_id ?? '',
    cost: ZERO,
    tokens:
      tokenCount(event.quantities['input_tokens']) + tokenCount(event.quantities['output_tokens']),
    requests: 1,
  };
}

/** Cached and audio tokens are parts of input and output tokens (DESIGN 3.1): not added again. */
function tokenCount(quantity: number | string | undefined): number {
  const count = Number(quantity ?? 0);
  return Number.isSafeInteger(count) && count > 0 ? count : 0;
}
