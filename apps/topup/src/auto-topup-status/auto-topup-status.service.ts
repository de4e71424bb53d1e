import { Inject, Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import {
  SCHEMA_VERSION,
  Topics,
  autoTopUpStatus,
  creditForPayment,
  formatAmount,
  monthStartOf,
} from '@tally/budget-domain';
import type {
  AutoTopUpFacts,
  AutoTopUpSettings,
  AutoTopUpStatus,
  TopUpStatusChanged,
} from '@tally/budget-domain';
import type { OutboxTransaction } from '@tally/messaging';
import type { TopUpConfig } from '../config/topup.config';
import { creditRatesOf } from '../config/topup.config';
import { TOPUP_CONFIG } from '../config/topup.tokens';
import { AutoTopUpSettingsStore } from './auto-topup-settings.store';
import type { AccountAutoTopUp } from './auto-topup-settings.store';
import type { EntryKey } from '../entries/entries.store';

/** pause_reason of a pause made by a lost dispute; any other is a failed charge's failure code. */
export const DISPUTE_LOST_PAUSE = 'dispute_lost';

/**
 * An account's auto top-up as the policy sees it, and its announcement: whenever the state
 * (DESIGN 3.6) changes, topup.status-changed carries it with the next sequence of the account,
 * in the transaction that changed it.
 */
@Injectable()
export class AutoTopUpStatusService {
  constructor(
    @Inject(TOPUP_CONFIG) private readonly config: TopUpConfig,
    private readonly store: AutoTopUpSettingsStore,
  ) {}

  /**
   * The policy's settings: off when the account turned it off, the service-wide switch is off,
   * or the account's paid currency is no longer the service's (TOPUP_PAID_CURRENCY changed
   * since it was saved): there is no credit rate to charge it at.
   */
  settingsOf(account: AccountAutoTopUp): AutoTopUpSettings {
    const { settings } = account;
    const payable = !this.inRetiredCurrency(account);
    return {
      enabled: settings.enabled && this.config.autoEnabled && payable,
      packAmount: settings.amountPaid,
      packCurrency: settings.paidCurrency,
      creditAmount: payable
        ? creditForPayment(settings.amountPaid, settings.paidCurrency, creditRatesOf(this.config))
        : new Decimal(0),
      triggerBelowPercent: settings.triggerBelowPercent,
      monthlyAutoLimit: settings.monthlyLimit,
    };
  }

  /** Saved in a paid currency the service no longer takes, so it cannot be charged. */
  inRetiredCurrency(account: AccountAutoTopUp): boolean {
    return account.settings.paidCurrency !== this.config.paidCurrency;
  }

  factsOf(account: AccountAutoTopUp): AutoTopUpFacts {
    return {
      hasCustomer: account.settings.customerId !== null,
      hasPaymentMethod: account.settings.paymentMethodId !== null,
      autoChargedThisMonth: account.monthAutoPaid,
      lastSuccessfulAutoTopUpAt: account.lastAutoSuccessAt ?? undefined,
      pendingTopUp: account.pendingSince !== null,
      pendingSince: account.pendingSince ?? undefined,
      paused: account.settings.pausedAt !== null,
      pauseReason:
        account.settings.pauseReason === DISPUTE_LOST_PAUSE ? 'dispute_lost' : 'charge_failed',
    };
  }

  statusOf(account: AccountAutoTopUp, now: Date): AutoTopUpStatus {
    return autoTopUpStatus(this.settingsOf(account), this.factsOf(account), now);
  }

  /**
   * Pauses auto top-up because of `cause` (a failed automatic charge, or a lost dispute's refund
   * entry) and announces it: the saved card is not charged off-session until a new one is
   * saved or auto top-up is turned on again (DESIGN 4, ADR 0145, ADR 0157).
   */
  async pause(tx: OutboxTransaction, cause: EntryKey, reason: string, now: Date): Promise<void> {
    await this.store.pause(tx.manager, cause, reason, now);
    await this.announce(tx, cause.accountId, now);
  }

  /** Stripe detached a payment method: accounts charging it have none any more. */
  async forgetMethod(tx: OutboxTransaction, paymentMethodId: string, now: Date): Promise<string[]> {
    const accountIds = await this.store.forgetMethod(tx.manager, paymentMethodId);
    for (const accountId of accountIds) await this.announce(tx, accountId, now);
    return accountIds;
  }

  /** Whether the state announced last is no longer the account's (time may have ended it). */
  isStale(account: AccountAutoTopUp, now: Date): boolean {
    return (
      canonical(presentStatus(this.statusOf(account, now))) !==
      canonical(account.settings.publishedStatus)
    );
  }

  /**
   * Announces the account's state if it differs from the one announced last. Call it in the
   * transaction that changed the account, after the change (it reads the facts afresh).
   */
  async announce(tx: OutboxTransaction, accountId: string, now: Date): Promise<void> {
    const [account] = await this.store.lock(tx.manager, [accountId], monthStartOf(now));
    if (!account) return;
    if (!this.isStale(account, now)) return;
    const autoTopUp = presentStatus(this.statusOf(account, now));
    const sequence = account.settings.statusSequence + 1;
    await this.store.recordPublished(tx.manager, accountId, sequence, autoTopUp);
    const record: TopUpStatusChanged = {
      schema_version: SCHEMA_VERSION,
      account_id: accountId,
      sequence,
      auto_topup: autoTopUp,
      at: now.toISOString(),
    };
    tx.publish(Topics.TopUpStatusChanged, accountId, record);
  }
}

/** The `auto_topup` object of DESIGN 3.6 (also the `state` of topup.get-auto-topup). */
export function presentStatus(status: AutoTopUpStatus): TopUpStatusChanged['auto_topup'] {
  return {
    enabled: status.enabled,
    state: status.state,
    pending_since: status.pendingSince?.toISOString() ?? null,
    cooldown_until: status.cooldownUntil?.toISOString() ?? null,
    month_auto_paid: formatAmount(status.monthAutoPaid),
    monthly_limit: formatAmount(status.monthlyLimit),
    paid_currency: status.paidCurrency,
    // Only while paused, so that no other state announced before ADR 0157 reads as changed.
    ...(status.pauseReason === null ? {} : { pause_reason: status.pauseReason }),
  };
}

/** JSON with sorted keys: jsonb hands an object back with its keys in an order of its own. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}
