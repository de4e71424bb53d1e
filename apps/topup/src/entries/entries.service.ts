import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { SCHEMA_VERSION, Topics, formatAmount, isTimestamp } from '@tally/budget-domain';
import type { PaymentEvent, PaymentKind } from '@tally/budget-domain';
import type { OutboxTransaction } from '@tally/messaging';
import { counter } from '@tally/platform';
import { DataSource } from 'typeorm';
import { maskStripeRef } from '../stripe/stripe-refs';
import { EntriesException, EntriesExceptionCode } from './entries.exception';
import { EntriesStore, isUuid } from './entries.store';
import type { Entry, EntryKey } from './entries.store';

const payments = counter(
  'tally_topup_payments_total',
  'Payment facts announced on payments.events, by kind and trigger',
  ['kind', 'trigger'],
);

const restorations = counter(
  'tally_topup_refund_restorations_total',
  'Refunds that failed or were canceled after taking credit back, whose credit was given back (announced as credit_purchased with restores_refund, ADR 0123)',
  ['trigger'],
);

const ZERO = new Decimal(0);
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 200;

export interface HistoryItem {
  id: string;
  kind: string;
  trigger: string;
  credit_amount: string;
  paid_amount: string;
  paid_currency: string;
  stripe_ref: string | null;
  status: string;
  at: string;
}

/**
 * Payments as facts: payments.events records (DESIGN 3.4) with ids stable per payment, so the
 * ledger's inbox dedupes a repeat too, and the history a tenant sees of its own account.
 */
@Injectable()
export class EntriesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: EntriesStore,
  ) {}

  /** Announces a payment fact through the transaction's outbox; returns it for `count`. */
  announce(
    tx: OutboxTransaction,
    entry: EntryKey & { trigger: Entry['trigger']; paidCurrency: string },
    fact: {
      kind: PaymentKind;
      id: string;
      credit: Decimal;
      paid: Decimal;
      stripeRef: string | null;
      /** The refund whose credit a `credit_purchased` gives back (ADR 0123). */
      restoresRefund?: string;
      at: Date;
    },
  ): PaymentEvent {
    const event: PaymentEvent = {
      schema_version: SCHEMA_VERSION,
      id: fact.id,
      account_id: entry.accountId,
      kind: fact.kind,
      trigger: entry.trigger,
      credit_amount: formatAmount(fact.credit),
      paid_amount: formatAmount(fact.paid),
      paid_currency: entry.paidCurrency,
      stripe_ref: fact.stripeRef,
      ...(fact.restoresRefund === undefined ? {} : { restores_refund: fact.restoresRefund }),
      at: fact.at.toISOString(),
    };
    tx.publish(Topics.PaymentsEvents, entry.accountId, event);
    return event;
  }

  /** Counts announced facts once their transaction committed. */
  count(events: readonly PaymentEvent[]): void {
    for (const event of events) {
      // A restoration is money kept, not a payment made: counted apart from purchases.
      if (event.restores_refund) restorations.inc({ trigger: event.trigger });
      else payments.inc({ kind: event.kind, trigger: event.trigger });
    }
  }

  /** The account's payments, newest first; Stripe references masked. */
  async history(
    accountId: string,
    cursor: string | undefined,
    limit = HISTORY_DEFAULT_LIMIT,
  ): Promise<{ items: HistoryItem[]; next_cursor: string | null }> {
    if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_MAX_LIMIT) {
      throw new EntriesException(
        EntriesExceptionCode.VALIDATION_FAILED,
        `limit must be an integer from 1 to ${HISTORY_MAX_LIMIT}`,
      );
    }
    const entries = await this.store.page(
      this.dataSource.manager,
      accountId,
      cursor ? decodeCursor(cursor) : null,
      limit + 1,
    );
    const page = entries.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(historyItem),
      next_cursor: entries.length > limit && last ? encodeCursor(last) : null,
    };
  }
}

function historyItem(entry: Entry): HistoryItem {
  // A failed or expired payment bought nothing; a failed or canceled refund took nothing back.
  const movedNothing =
    entry.status === 'failed' || entry.status === 'expired' || entry.status === 'canceled';
  return {
    id: entry.entryId,
    kind: entry.kind,
    trigger: entry.trigger,
    credit_amount: formatAmount(movedNothing ? ZERO : entry.creditAmount),
    paid_amount: formatAmount(entry.paidAmount),
    paid_currency: entry.paidCurrency,
    stripe_ref: maskStripeRef(entry.stripeRef ?? entry.paymentIntentId ?? entry.checkoutSessionId),
    status: entry.status,
    at: entry.createdAt.toISOString(),
  };
}

function encodeCursor(entry: Entry): string {
  return Buffer.from(JSON.stringify([entry.createdAt.toISOString(), entry.entryId])).toString(
    'base64url',
  );
}

function decodeCursor(cursor: string): { createdAt: Date; entryId: string } {
  try {
    const [at, entryId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    // Only what encodeCursor writes: the page query casts both values, and PostgreSQL cannot
    // take every time JavaScript can (year 0, none before 4713 BC) nor an id that is no uuid.
    if (isTimestamp(at) && at.endsWith('Z') && typeof entryId === 'string' && isUuid(entryId))
      return { createdAt: new Date(at), entryId };
  } catch {
    // falls through to the refusal
  }
  throw new EntriesException(
    EntriesExceptionCode.VALIDATION_FAILED,
    'cursor is not one this history gave',
  );
}
