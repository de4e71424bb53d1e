import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { Topics, decideAutoTopUp, monthStartOf, parseBalanceChanged } from '@tally/budget-domain';
import type { BalanceChanged } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import type { OutboxTransaction } from '@tally/messaging';
import { counter } from '@tally/platform';
import { AutoTopUpSettingsStore } from '../auto-topup-status/auto-topup-settings.store';
import { AutoTopUpStatusService } from '../auto-topup-status/auto-topup-status.service';
import { EntriesStore } from '../entries/entries.store';
import { StripeService } from '../stripe/stripe.service';
import { ChargerService } from './charger.service';

const decisions = counter(
  'tally_topup_auto_topup_decisions_total',
  'Auto top-up decisions on a balance below the trigger: charged, or the reason it was refused',
  ['decision'],
);

/**
 * Event-driven auto top-up: each account's balance state (ledger.balance-changed, applied only
 * when its sequence is above the last applied) is decided by the budget-domain policy. A
 * charge is recorded here as a pending payment, in the slice's transaction; the Stripe call
 * happens after it commits (ChargerService), never inside a transaction (ADR 0026).
 */
@Injectable()
export class BalanceChangedConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('AutoTopUp');

  constructor(
    private readonly messaging: MessagingService,
    private readonly settings: AutoTopUpSettingsStore,
    private readonly status: AutoTopUpStatusService,
    private readonly entries: EntriesStore,
    private readonly stripe: StripeService,
    private readonly charger: ChargerService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.messaging.consumeTransactionally({
      topic: Topics.LedgerBalanceChanged,
      decode: parseBalanceChanged,
      idOf: (balance) => `${balance.account_id}/${balance.api_key_id ?? ''}/${balance.sequence}`,
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
    const accounts = await this.settings.lock(tx.manager, [...latest.keys()], monthStartOf(now));
    let charged = false;
    for (const account of accounts) {
      const { accountId, lastBalanceSequence } = account.settings;
      const balance = latest.get(accountId);
      if (!balance) continue;
      if (lastBalanceSequence !== null && balance.sequence <= lastBalanceSequence) continue;
      const settings = this.status.settingsOf(account);
      const decision = decideAutoTopUp(
        settings,
        this.status.factsOf(account),
        new Decimal(balance.available_percent),
        now,
      );
      let recorded: string | null;
      if (decision.decision === 'refuse') {
        recorded = decision.reason === 'above_trigger' ? null : decision.reason;
        if (recorded) decisions.inc({ decision: recorded });
      } else if (this.stripe.liveBlocked) {
        recorded = 'live_topup_blocked';
      } else if (this.stripe.dryRun) {
        recorded = 'dry_run';
      } else {
        await this.entries.insert(tx.manager, {
          accountId,
          entryId: randomUUID(),
          kind: 'auto_purchase',
          trigger: 'auto',
          status: 'pending',
          creditAmount: decision.creditAmount,
          paidAmount: decision.amount,
          paidCurrency: decision.currency,
          decisionId: `${accountId}:${balance.sequence}`,
          nextChargeAt: now,
          createdAt: now,
        });
        recorded = 'charged';
        decisions.inc({ decision: 'charged' });
        charged = true;
      }
      await this.settings.recordDecision(tx.manager, accountId, balance.sequence, recorded, now);
      if (recorded && recorded !== account.settings.lastDecision) {
        this.logger.log(
          `auto top-up of ${accountId} at ${balance.available_percent} % available (balance ${balance.sequence}): ${recorded}`,
        );
      }
      await this.status.announce(tx, accountId, now);
    }
    if (charged) this.charger.kick();
  }
}
