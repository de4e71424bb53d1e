import { Injectable } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import {
  Topics,
  exactAvailablePercentOf,
  monthStartOf,
  parseBalanceChanged,
} from '@tally/budget-domain';
import type { BalanceChanged } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import type { OutboxTransaction } from '@tally/messaging';
import { AutoTopUpSettingsStore } from '../auto-topup-status/auto-topup-settings.store';
import { AutoTopUpDecisionService } from './auto-topup-decision.service';
import { ChargerService } from './charger.service';

/**
 * Event-driven auto top-up: each account's balance state (ledger.balance-changed, applied only
 * when its sequence is above the last applied) is decided in the slice's transaction; the
 * Stripe call happens after it commits (ChargerService), never inside a transaction (ADR 0026).
 */
@Injectable()
export class BalanceChangedConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly messaging: MessagingService,
    private readonly settings: AutoTopUpSettingsStore,
    private readonly decisions: AutoTopUpDecisionService,
    private readonly charger: ChargerService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.LedgerBalanceChanged,
      decode: parseBalanceChanged,
      idOf: (balance) => `${balance.account_id}/${balance.api_key_id ?? ''}/${balance.sequence}`,
      // A balance whose sequence is not above the last kept and decided is ignored (ADR 0135).
      appliesLatestBySequence: true,
      effect: (balances, tx, now) => this.decide(balances, tx, now),
    });
  }

  private async decide(
    balances: BalanceChanged[],
    tx: OutboxTransaction,
    now: Date,
  ): Promise<void> {
    const latest = new Map<string, BalanceChanged>();
    for (const balance of balances) {
      // Key budgets do not hold money: only the account's own state can call for credit.
      if (balance.api_key_id !== null) continue;
      const seen = latest.get(balance.account_id);
      if (!seen || balance.sequence > seen.sequence) latest.set(balance.account_id, balance);
    }
    const kept = [...latest.values()].map((balance) => ({
      accountId: balance.account_id,
      sequence: balance.sequence,
      // The exact figure: the wire's integer would leave 14.6 % unserved by a 15 % trigger.
      availablePercent: exactAvailablePercentOf(balance),
    }));
    // Every account's, settings or not: its first setup decides it (ADR 0062).
    await this.settings.keepLastBalances(tx.manager, kept);
    const accounts = await this.settings.lock(tx.manager, [...latest.keys()], monthStartOf(now));
    let charged = false;
    for (const account of accounts) {
      const { accountId, lastBalanceSequence } = account.settings;
      const balance = latest.get(accountId);
      if (!balance) continue;
      if (lastBalanceSequence !== null && balance.sequence <= lastBalanceSequence) continue;
      const decided = {
        sequence: balance.sequence,
        availablePercent: exactAvailablePercentOf(balance),
      };
      if (await this.decisions.decide(tx, account, decided, now)) charged = true;
    }
    if (charged) this.charger.kick();
  }
}
