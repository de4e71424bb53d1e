import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import {
  Topics,
  UNKNOWN_STANDING,
  autoTopUpPausedConditions,
  parseTopUpStatusChanged,
} from '@tally/budget-domain';
import type { TopUpStatusChanged } from '@tally/budget-domain';
import type { OutboxTransaction } from '@tally/messaging';
import { AlertsService } from '../alerts/alerts.service';
import { BalanceStatesStore } from '../balances/balance-states.store';
import { PositionalConsumers } from '../positions/positional-consumers';
import { TopUpStatesStore } from './topup-states.store';

/**
 * topup.status-changed -> auto_topup_paused, fired while auto top-up is on but will not charge
 * and resolved when it can again (or is turned off). A state with a sequence: a record not
 * above the last applied one is stale.
 */
@Injectable()
export class TopUpStatusConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: PositionalConsumers,
    private readonly states: TopUpStatesStore,
    private readonly balances: BalanceStatesStore,
    private readonly alerts: AlertsService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.consumers.start({
      topic: Topics.TopUpStatusChanged,
      decode: parseTopUpStatusChanged,
      effect: (statuses, tx, now) => this.apply(statuses, tx, now),
    });
  }

  private async apply(
    statuses: TopUpStatusChanged[],
    tx: OutboxTransaction,
    now: Date,
  ): Promise<() => void> {
    const accountIds = [...new Set(statuses.map((status) => status.account_id))];
    const sequences = await this.states.sequences(tx.manager, accountIds);
    const standings = await this.balances.standings(tx.manager, accountIds);
    const session = await this.alerts.open(tx.manager, accountIds);
    const applied = new Map<string, TopUpStatusChanged>();
    for (const status of statuses) {
      const last = applied.get(status.account_id)?.sequence ?? sequences.get(status.account_id);
      if (last !== undefined && status.sequence <= last) continue;
      session.settle(
        { accountId: status.account_id, apiKeyId: null },
        ['auto_topup_paused'],
        autoTopUpPausedConditions(status, standings.get(status.account_id) ?? UNKNOWN_STANDING),
        now,
      );
      applied.set(status.account_id, status);
    }
    await this.states.save(tx.manager, [...applied.values()]);
    return this.alerts.commit(tx, session, now);
  }
}
