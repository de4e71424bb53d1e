import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { creditRefunded, toMinorUnits } from '@tally/budget-domain';
import type { PaymentEvent } from '@tally/budget-domain';
import type { OutboxTransaction } from '@tally/messaging';
import { AutoTopUpSettingsStore } from '../auto-topup-status/auto-topup-settings.store';
import { AutoTopUpStatusService } from '../auto-topup-status/auto-topup-status.service';
import { EntriesService } from '../entries/entries.service';
import { EntriesStore } from '../entries/entries.store';
import type { Entry } from '../entries/entries.store';

const ZERO = new Decimal(0);

export interface StripeIds {
  readonly checkoutSessionId?: string | null;
  readonly paymentIntentId?: string | null;
}

/**
 * How a payment ends, whoever learns it first (the charge's own answer, or any of its
 * webhooks, in any order): credited once, failed once, refunded by cumulative amount. Each
 * runs in the caller's transaction, announces on payments.events with an id stable per
 * payment (so the ledger's inbox dedupes a repeat as well), and returns what it announced.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger('Settlement');

  constructor(
    private readonly entries: EntriesStore,
    private readonly facts: EntriesService,
    private readonly settings: AutoTopUpSettingsStore,
    private readonly status: AutoTopUpStatusService,
  ) {}

  /** Credits the payment, unless it already was. */
  async credit(
    tx: OutboxTransaction,
    entry: Entry,
    ids: StripeIds,
    now: Date,
  ): Promise<PaymentEvent[]> {
    await this.entries.attachStripeIds(tx.manager, entry, ids);
    if (!(await this.entries.markCredited(tx.manager, entry, now))) return [];
    const event = this.facts.announce(tx, entry, {
      kind: 'credit_purchased',
      id: `topup:${entry.entryId}:purchased`,
      credit: entry.creditAmount,
      paid: entry.paidAmount,
      stripeRef: stripeRefOf(entry, ids),
      at: now,
    });
    if (entry.trigger === 'auto') await this.status.announce(tx, entry.accountId, now);
    return [event];
  }

  /**
   * Records a failed payment (credit 0, the attempted paid amount). An automatic one pauses
   * auto top-up until the tenant saves a new payment method or turns it on again.
   */
  async fail(
    tx: OutboxTransaction,
    entry: Entry,
    failureCode: string,
    now: Date,
    ids: StripeIds = {},
  ): Promise<PaymentEvent[]> {
    await this.entries.attachStripeIds(tx.manager, entry, ids);
    if (!(await this.entries.markFailed(tx.manager, entry, failureCode, now))) return [];
    const event = this.facts.announce(tx, entry, {
      kind: 'credit_failed',
      id: `topup:${entry.entryId}:failed`,
      credit: ZERO,
      paid: entry.paidAmount,
      stripeRef: stripeRefOf(entry, ids),
      at: now,
    });
    if (entry.trigger === 'auto') {
      await this.settings.pause(tx.manager, entry.accountId, failureCode, now);
      await this.status.announce(tx, entry.accountId, now);
      this.logger.warn(
        `automatic top-up of ${entry.accountId} failed (${failureCode}): auto top-up paused until a new payment method or a re-enable`,
      );
    }
    return [event];
  }

  /**
   * Takes back credit for what the charge has refunded in total so far: the difference from
   * the total recorded before, as a refund entry. A repeat, or an older total arriving late,
   * takes nothing.
   */
  async refund(
    tx: OutboxTransaction,
    purchase: Entry,
    refundedPaidTotal: Decimal,
    now: Date,
  ): Promise<PaymentEvent[]> {
    if (!purchase.creditedAt || !purchase.paymentIntentId) return [];
    const total = Decimal.min(refundedPaidTotal, purchase.paidAmount);
    if (total.lessThanOrEqualTo(purchase.refundedPaid)) return [];
    const creditTotal = creditRefunded(purchase.creditAmount, purchase.paidAmount, total);
    const credit = creditTotal.minus(purchase.refundedCredit);
    const paid = total.minus(purchase.refundedPaid);
    const minorTotal = toMinorUnits(total, purchase.paidCurrency);
    const inserted = await this.entries.insert(tx.manager, {
      accountId: purchase.accountId,
      entryId: randomUUID(),
      kind: 'refund',
      trigger: purchase.trigger,
      status: 'succeeded',
      creditAmount: credit,
      paidAmount: paid,
      paidCurrency: purchase.paidCurrency,
      refundOf: purchase.entryId,
      refundKey: `${purchase.paymentIntentId}:${minorTotal}`,
      stripeRef: purchase.paymentIntentId,
      createdAt: now,
      settledAt: now,
    });
    if (!inserted) return [];
    await this.entries.recordRefunded(tx.manager, purchase, total, creditTotal);
    return [
      this.facts.announce(tx, purchase, {
        kind: 'credit_refunded',
        id: `topup:${purchase.entryId}:refunded:${minorTotal}`,
        credit,
        paid,
        stripeRef: purchase.paymentIntentId,
        at: now,
      }),
    ];
  }
}

function stripeRefOf(entry: Entry, ids: StripeIds): string | null {
  return (
    ids.paymentIntentId ??
    entry.paymentIntentId ??
    ids.checkoutSessionId ??
    entry.checkoutSessionId ??
    null
  );
}
