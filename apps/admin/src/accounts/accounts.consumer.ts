import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { ALERT_LEVELS, Topics, parseBalanceChanged } from '@tally/budget-domain';
import type { AlertLevel, BalanceChanged } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import type { OutboxTransaction } from '@tally/messaging';
import { AccountsStore } from './accounts.store';
import { SystemTotalsStore, emptyTotalsDelta } from './system-totals.store';

/**
 * ledger.balance-changed -> the latest balance of each account (and key). A record is a state,
 * not a delta (DESIGN 3.3): the one with the highest sequence wins, whatever order they come
 * in. The system's level counts and outstanding credit move with the account balances.
 */
@Injectable()
export class AccountsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly accounts: AccountsStore,
    private readonly totals: SystemTotalsStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.LedgerBalanceChanged,
      decode: parseBalanceChanged,
      idOf: (record) => `${record.account_id}/${record.api_key_id ?? ''}/${record.sequence}`,
      effect: (records, tx) => this.apply(records, tx),
    });
  }

  private async apply(records: BalanceChanged[], tx: OutboxTransaction): Promise<void> {
    const latest = new Map<string, BalanceChanged>();
    for (const record of records) {
      const key = `${record.account_id}\u0000${record.api_key_id ?? ''}`;
      const held = latest.get(key);
      if (!held || held.sequence < record.sequence) latest.set(key, record);
    }
    const delta = emptyTotalsDelta();
    delta.accounts = await this.accounts.touch(
      tx.manager,
      records.map((record) => record.account_id),
    );
    const stored = await this.accounts.lockBalances(
      tx.manager,
      [...latest.values()].map((record) => ({
        accountId: record.account_id,
        apiKeyId: record.api_key_id ?? '',
      })),
    );
    const storedByKey = new Map(
      stored.map((row) => [`${row.account_id}\u0000${row.api_key_id}`, row]),
    );
    const newer: BalanceChanged[] = [];
    for (const [key, record] of latest) {
      const before = storedByKey.get(key);
      if (before && Number(before.sequence) >= record.sequence) continue;
      newer.push(record);
      if (record.api_key_id !== null) continue;
      delta.levels[record.alert_level] += 1;
      delta.extraCreditRemaining = delta.extraCreditRemaining.plus(record.extra_credit_remaining);
      if (before) {
        if (isAlertLevel(before.alert_level)) delta.levels[before.alert_level] -= 1;
        delta.extraCreditRemaining = delta.extraCreditRemaining.minus(
          new Decimal(before.extra_credit_remaining),
        );
      }
    }
    await this.accounts.saveBalances(tx.manager, newer);
    await this.totals.add(tx.manager, delta);
  }
}

function isAlertLevel(level: string): level is AlertLevel {
  return (ALERT_LEVELS as readonly string[]).includes(level);
}
