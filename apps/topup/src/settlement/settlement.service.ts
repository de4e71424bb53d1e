import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { creditRefunded, paidRefunded } from '@tally/budget-domain';
import type { PaymentEvent } from '@tally/budget-domain';
import type { OutboxTransaction } from '@tally/messaging';
import { AutoTopUpSettingsStore } from '../auto-topup-status/auto-topup-settings.store';
import {
  AutoTopUpStatusService,
  DISPUTE_LOST_PAUSE,
} from '../auto-topup-status/auto-topup-status.service';
import { EntriesService } from '../entries/entries.service';
import { EntriesStore } from '../entries/entries.store';
import type { Entry, EntryKey } from '../entries/entries.store';
import type { RefundEnd, RefundFact } from '../stripe/stripe-refunds';

const ZERO = new Decimal(0);

export interface StripeIds {
  readonly checkoutSessionId?: string | null;
  readonly paymentIntentId?: string | null;
}

/**
 * How a payment ends, whoever learns it first (the charge's own answer, or any of its
 * webhooks, in any order): credited once, failed once, each refund taken back once (and given
 * back once if it fails). Each runs in the caller's transaction, announces on payments.events
 * with an id stable per payment (so the ledger's inbox dedupes a repeat as well), and returns
 * what it announced.
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

  /**
   * Credits the payment, unless it already was. An automatic charge recorded failed that Stripe
   * reports succeeded after all (3-D Secure completed, a delayed debit) lifts the pause its
   * failure made, and only that one (ADR 0145): the card did pay.
   */
  async credit(
    tx: OutboxTransaction,
    entry: Entry,
    ids: StripeIds,
    now: Date,
  ): Promise<PaymentEvent[]> {
    await this.entries.attachStripeIds(tx.manager, entry, ids);
    if (!(await this.entries.markCredited(tx.manager, entry, now))) return [];
    if (
      entry.trigger === 'auto' &&
      entry.status === 'failed' &&
      (await this.settings.liftPauseOf(tx.manager, entry))
    ) {
      this.logger.log(
        `automatic top-up of ${entry.accountId} recorded failed (${entry.failureCode ?? 'unknown'}) succeeded late: credited, and the pause it caused is lifted`,
      );
    }
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
   * auto top-up until the tenant saves a new payment method or turns it on again, or Stripe
   * reports this very charge succeeded after all (`credit`).
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
      await this.status.pause(tx, entry, failureCode, now);
      this.logger.warn(
        `automatic top-up of ${entry.accountId} failed (${failureCode}): auto top-up paused until a new payment method or a re-enable`,
      );
    }
    return [event];
  }

  /**
   * Applies a payment's refunds as Stripe reported them, each by its own id: one first seen
   * going through takes its share of the credit back; one that failed or was canceled after
   * gives back what it took, as a credit purchase (ADR 0087); one first seen ended moves
   * nothing. An ended refund stays ended, so a late report of it going through changes nothing.
   * A dispute the bank decided is applied alike, by its id (ADR 0156). `chargeMinor` is the
   * charge's amount, needed when it is not in the paid currency.
   */
  async refunds(
    tx: OutboxTransaction,
    purchase: Entry,
    refunds: readonly RefundFact[],
    chargeMinor: number | undefined,
    now: Date,
  ): Promise<PaymentEvent[]> {
    const paymentIntentId = purchase.paymentIntentId;
    if (!purchase.creditedAt || !paymentIntentId) return [];
    const refundable = { ...purchase, paymentIntentId };
    let taken: RefundedTotals = { paid: purchase.refundedPaid, credit: purchase.refundedCredit };
    const announced: PaymentEvent[] = [];
    for (const refund of oldestFirst(refunds)) {
      const paid = paidRefunded(purchase.paidAmount, purchase.paidCurrency, {
        minor: refund.minor,
        currency: refund.currency,
        chargeMinor,
      });
      const recorded =
        (await this.entries.lockRefund(tx.manager, purchase, refund.refundId)) ??
        (refund.source === 'refund'
          ? await this.entries.adoptLegacyRefund(
              tx.manager,
              purchase,
              paymentIntentId,
              refund.refundId,
              paid,
            )
          : undefined);
      let applied: RefundApplied = { taken, announced: [] };
      if (!recorded) applied = await this.firstSeen(tx, refundable, refund, paid, taken, now);
      else if (refund.ended)
        applied = await this.giveBack(tx, refundable, recorded, refund, refund.ended, taken, now);
      taken = applied.taken;
      announced.push(...applied.announced);
    }
    if (!taken.paid.equals(purchase.refundedPaid) || !taken.credit.equals(purchase.refundedCredit))
      await this.entries.recordRefunded(tx.manager, purchase, taken.paid, taken.credit);
    return announced;
  }

  /**
   * A refund seen for the first time. Going through, it takes back its share of the credit:
   * the credit of the standing refunds' paid total less what they took, so never more than the
   * purchase bought and all of it once all is refunded. Already ended, it moves nothing.
   */
  private async firstSeen(
    tx: OutboxTransaction,
    purchase: Entry & { paymentIntentId: string },
    refund: RefundFact,
    paid: Decimal,
    taken: RefundedTotals,
    now: Date,
  ): Promise<RefundApplied> {
    // A dispute first seen won took nothing: no entry, so that a loss (a reopened dispute) still takes.
    if (refund.ended && refund.source === 'dispute') return { taken, announced: [] };
    if (refund.ended) {
      await this.insertRefund(tx, purchase, refund, {
        status: refund.ended.status,
        failureCode: refund.ended.reason,
        credit: ZERO,
        paid,
        at: now,
      });
      return { taken, announced: [] };
    }
    const paidTotal = Decimal.min(taken.paid.plus(paid), purchase.paidAmount);
    const creditTotal = creditRefunded(purchase.creditAmount, purchase.paidAmount, paidTotal);
    const credit = Decimal.max(creditTotal.minus(taken.credit), ZERO);
    const paidNow = paidTotal.minus(taken.paid);
    // Stripe withdraws nothing for a dispute of money already refunded: no entry, no fact.
    if (refund.source === 'dispute' && paidNow.isZero()) return { taken, announced: [] };
    const inserted = await this.insertRefund(tx, purchase, refund, {
      status: 'succeeded',
      credit,
      paid: paidNow,
      at: now,
    });
    if (!inserted) return { taken, announced: [] };
    // The card holder told the bank the payment was not theirs, or would not pay it: the card
    // on file is not charged off-session again until someone saves one (ADR 0157).
    if (refund.source === 'dispute') {
      await this.status.pause(tx, inserted, DISPUTE_LOST_PAUSE, now);
      this.logger.warn(
        `a payment of ${purchase.accountId} was disputed and lost (${refund.refundId}): auto top-up paused until a new payment method or a re-enable`,
      );
    }
    const event = this.facts.announce(tx, purchase, {
      kind: 'credit_refunded',
      id: `topup:${purchase.entryId}:refunded:${refund.refundId}`,
      credit,
      paid: paidNow,
      stripeRef: purchase.paymentIntentId,
      at: now,
    });
    return { taken: { paid: paidTotal, credit: taken.credit.plus(credit) }, announced: [event] };
  }

  /**
   * A refund that took its credit back failed or was canceled: the credit and paid amount it
   * took come back as a purchase of the same payment (ADR 0087). Once: an ended refund stays so.
   */
  private async giveBack(
    tx: OutboxTransaction,
    purchase: Entry & { paymentIntentId: string },
    recorded: Entry,
    refund: RefundFact,
    ended: RefundEnd,
    taken: RefundedTotals,
    now: Date,
  ): Promise<RefundApplied> {
    if (!(await this.entries.endRefund(tx.manager, recorded, ended.status, ended.reason, now)))
      return { taken, announced: [] };
    const event = this.facts.announce(tx, purchase, {
      kind: 'credit_purchased',
      id: `topup:${purchase.entryId}:restored:${refund.refundId}`,
      credit: recorded.creditAmount,
      paid: recorded.paidAmount,
      stripeRef: purchase.paymentIntentId,
      restoresRefund: refund.refundId,
      at: now,
    });
    return {
      taken: {
        paid: taken.paid.minus(recorded.paidAmount),
        credit: taken.credit.minus(recorded.creditAmount),
      },
      announced: [event],
    };
  }

  private async insertRefund(
    tx: OutboxTransaction,
    purchase: Entry & { paymentIntentId: string },
    refund: RefundFact,
    entry: {
      status: 'succeeded' | RefundEnd['status'];
      failureCode?: string;
      credit: Decimal;
      paid: Decimal;
      at: Date;
    },
  ): Promise<EntryKey | undefined> {
    const key = { accountId: purchase.accountId, entryId: randomUUID() };
    const inserted = await this.entries.insert(tx.manager, {
      ...key,
      kind: 'refund',
      trigger: purchase.trigger,
      status: entry.status,
      creditAmount: entry.credit,
      paidAmount: entry.paid,
      paidCurrency: purchase.paidCurrency,
      refundOf: purchase.entryId,
      refundKey: refund.refundId,
      stripeRef: purchase.paymentIntentId,
      ...(entry.failureCode === undefined ? {} : { failureCode: entry.failureCode }),
      createdAt: entry.at,
      settledAt: entry.at,
    });
    return inserted ? key : undefined;
  }
}

/** What a purchase's standing refunds took back. */
interface RefundedTotals {
  readonly paid: Decimal;
  readonly credit: Decimal;
}

interface RefundApplied {
  readonly taken: RefundedTotals;
  readonly announced: PaymentEvent[];
}

/**
 * Stripe lists a charge's refunds newest first; each takes its share in the order they were
 * made (a stable sort keeps Stripe's order among those of one second).
 */
function oldestFirst(refunds: readonly RefundFact[]): RefundFact[] {
  return [...refunds].reverse().sort((a, b) => a.created - b.created);
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
