import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import {
  BALANCE_ALERT_KINDS,
  Topics,
  balanceConditions,
  parseBalanceChanged,
  standingOf,
} from '@tally/budget-domain';
import type { BalanceChanged } from '@tally/budget-domain';
import type { OutboxTransaction } from '@tally/messaging';
import { counter } from '@tally/platform';
import { AlertsService } from '../alerts/alerts.service';
import { PositionalConsumers } from '../positions/positional-consumers';
import { BalanceStatesStore, subjectKey } from './balance-states.store';
import type { BalanceState } from './balance-states.store';

const staleBalances = counter(
  'tally_alerting_stale_balances_total',
  'ledger.balance-changed records ignored because their sequence was not above the last applied',
);

/**
 * ledger.balance-changed -> level, limit, projection and custom-threshold alerts. A record is
 * a state (DESIGN 3.3): one whose sequence is not above the last applied for its account and
 * key is stale and changes nothing.
 */
@Injectable()
export class BalanceChangedConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: PositionalConsumers,
    private readonly states: BalanceStatesStore,
    private readonly alerts: AlertsService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.consumers.start({
      topic: Topics.LedgerBalanceChanged,
      decode: parseBalanceChanged,
      effect: (balances, tx, now) => this.apply(balances, tx, now),
    });
  }

  private async apply(
    balances: BalanceChanged[],
    tx: OutboxTransaction,
    now: Date,
  ): Promise<() => void> {
    const accountIds = [...new Set(balances.map((balance) => balance.account_id))];
    const states = await this.states.read(tx.manager, accountIds);
    const session = await this.alerts.open(tx.manager, accountIds);
    const changed = new Map<string, BalanceState>();
    let stale = 0;
    for (const balance of balances) {
      const key = subjectKey(balance.account_id, balance.api_key_id);
      const last = changed.get(key) ?? states.get(key);
      if (last && balance.sequence <= last.sequence) {
        stale += 1;
        continue;
      }
      session.settle(
        { accountId: balance.account_id, apiKeyId: balance.api_key_id },
        BALANCE_ALERT_KINDS,
        balanceConditions(balance, session.customThresholdsOf(balance.account_id)),
        now,
      );
      changed.set(key, {
        accountId: balance.account_id,
        apiKeyId: balance.api_key_id,
        sequence: balance.sequence,
        periodStart: balance.period.start,
        ...standingOf(balance),
        at: balance.at,
      });
    }
    await this.states.save(tx.manager, [...changed.values()]);
    const afterCommit = await this.alerts.commit(tx, session, now);
    return () => {
      staleBalances.inc(stale);
      afterCommit();
    };
  }
}
