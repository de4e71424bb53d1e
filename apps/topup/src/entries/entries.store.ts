import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { returningRows } from '@tally/persistence';
import type { EntityManager } from 'typeorm';

export type EntryKind = 'purchase' | 'auto_purchase' | 'failed' | 'refund';
export type EntryTrigger = 'manual' | 'auto' | 'admin';
export type EntryStatus = 'open' | 'pending' | 'succeeded' | 'failed' | 'expired' | 'canceled';

/** One payment of an account (or a refund of one): what its history shows. */
export interface Entry {
  readonly accountId: string;
  readonly entryId: string;
  readonly kind: EntryKind;
  readonly trigger: EntryTrigger;
  readonly status: EntryStatus;
  /** The credit this payment buys, fixed when the entry was made. */
  readonly creditAmount: Decimal;
  readonly paidAmount: Decimal;
  readonly paidCurrency: string;
  readonly checkoutSessionId: string | null;
  readonly paymentIntentId: string | null;
  readonly decisionId: string | null;
  readonly stripeRef: string | null;
  readonly refundedPaid: Decimal;
  readonly refundedCredit: Decimal;
  readonly chargeAttempts: number;
  readonly failureCode: string | null;
  readonly createdAt: Date;
  /** When it succeeded, failed or expired: a failed automatic charge's pause has this time. */
  readonly settledAt: Date | null;
  readonly creditedAt: Date | null;
}

/** Whose entry: every tenant query names its account. */
export interface EntryKey {
  readonly accountId: string;
  readonly entryId: string;
}

export interface NewEntry extends EntryKey {
  readonly kind: EntryKind;
  readonly trigger: EntryTrigger;
  readonly status: EntryStatus;
  readonly creditAmount: Decimal;
  readonly paidAmount: Decimal;
  readonly paidCurrency: string;
  readonly decisionId?: string;
  readonly refundOf?: string;
  readonly refundKey?: string;
  readonly stripeRef?: string;
  readonly failureCode?: string;
  readonly nextChargeAt?: Date;
  readonly createdAt: Date;
  readonly settledAt?: Date;
}

/** An automatic charge to send to Stripe, with what it is charged to. */
export interface DueCharge {
  readonly entry: Entry;
  readonly customerId: string | null;
  readonly paymentMethodId: string | null;
}

interface EntryRow {
  account_id: string;
  entry_id: string;
  kind: EntryKind;
  trigger: EntryTrigger;
  status: EntryStatus;
  credit_amount: string;
  paid_amount: string;
  paid_currency: string;
  checkout_session_id: string | null;
  payment_intent_id: string | null;
  decision_id: string | null;
  stripe_ref: string | null;
  refunded_paid: string;
  refunded_credit: string;
  charge_attempts: number;
  failure_code: string | null;
  created_at: Date | string;
  settled_at: Date | string | null;
  credited_at: Date | string | null;
}

/** The entry columns, of table `alias` when a statement joins another table. */
function columns(alias = ''): string {
  const t = alias ? `${alias}.` : '';
  return `${t}account_id, ${t}entry_id::text AS entry_id, ${t}kind, ${t}trigger, ${t}status,
    ${t}credit_amount::text AS credit_amount, ${t}paid_amount::text AS paid_amount, ${t}paid_currency,
    ${t}checkout_session_id, ${t}payment_intent_id, ${t}decision_id, ${t}stripe_ref,
    ${t}refunded_paid::text AS refunded_paid, ${t}refunded_credit::text AS refunded_credit,
    ${t}charge_attempts, ${t}failure_code, ${t}created_at, ${t}settled_at, ${t}credited_at`;
}
const COLUMNS = columns();

/** Top-up's payments: every SQL statement on topup_entries. */
@Injectable()
export class EntriesStore {
  async insert(manager: EntityManager, entry: NewEntry): Promise<boolean> {
    const rows = await manager.query(
      `INSERT INTO topup_entries (account_id, entry_id, kind, trigger, status, credit_amount,
         paid_amount, paid_currency, decision_id, refund_of, refund_key, stripe_ref, next_charge_at,
         created_at, settled_at, failure_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT DO NOTHING RETURNING entry_id`,
      [
        entry.accountId,
        entry.entryId,
        entry.kind,
        entry.trigger,
        entry.status,
        entry.creditAmount.toFixed(),
        entry.paidAmount.toFixed(),
        entry.paidCurrency,
        entry.decisionId ?? null,
        entry.refundOf ?? null,
        entry.refundKey ?? null,
        entry.stripeRef ?? null,
        entry.nextChargeAt ?? null,
        entry.createdAt,
        entry.settledAt ?? null,
        entry.failureCode ?? null,
      ],
    );
    return (rows as unknown[]).length > 0;
  }

  /**
   * What became of every charge decided on one balance state: the decision `decisionId` and
   * its retries, whose ids start with `retryPrefix`.
   */
  async outcomesOfDecisions(
    manager: EntityManager,
    accountId: string,
    decisionId: string,
    retryPrefix: string,
  ): Promise<EntryStatus[]> {
    const rows = (await manager.query(
      `SELECT status FROM topup_entries
       WHERE account_id = $1 AND (decision_id = $2 OR starts_with(decision_id, $3))`,
      [accountId, decisionId, retryPrefix],
    )) as Array<{ status: EntryStatus }>;
    return rows.map((row) => row.status);
  }

  /** Removes an entry that never reached Stripe (its checkout could not be created). */
  async discardOpen(manager: EntityManager, key: EntryKey): Promise<void> {
    await manager.query(
      `DELETE FROM topup_entries WHERE account_id = $1 AND entry_id = $2 AND status = 'open' AND checkout_session_id IS NULL`,
      [key.accountId, key.entryId],
    );
  }

  /** The entry, locked for the caller's transaction. */
  async lock(manager: EntityManager, key: EntryKey): Promise<Entry | undefined> {
    return this.select(manager, key, 'FOR UPDATE');
  }

  /** The entry as it is now, unlocked: for what never changes once made (its amounts, its currency). */
  async read(manager: EntityManager, key: EntryKey): Promise<Entry | undefined> {
    return this.select(manager, key, '');
  }

  private async select(
    manager: EntityManager,
    key: EntryKey,
    lock: 'FOR UPDATE' | '',
  ): Promise<Entry | undefined> {
    if (!isUuid(key.entryId)) return undefined;
    const [row] = (await manager.query(
      `SELECT ${COLUMNS} FROM topup_entries WHERE account_id = $1 AND entry_id = $2 ${lock}`,
      [key.accountId, key.entryId],
    )) as EntryRow[];
    return row && entryOf(row);
  }

  /** The entry of one Stripe refund of the purchase, locked; undefined before it was recorded. */
  async lockRefund(
    manager: EntityManager,
    purchase: EntryKey,
    refundId: string,
  ): Promise<Entry | undefined> {
    const [row] = (await manager.query(
      `SELECT ${COLUMNS} FROM topup_entries
       WHERE account_id = $1 AND refund_of = $2 AND refund_key = $3 FOR UPDATE`,
      [purchase.accountId, purchase.entryId, refundId],
    )) as EntryRow[];
    return row && entryOf(row);
  }

  /**
   * A refund entry recorded before refunds were kept by their Stripe id (keyed by the payment
   * intent and the charge's refunded total then), of the same paid amount, now given the
   * refund's id; undefined when there is none left to match.
   */
  async adoptLegacyRefund(
    manager: EntityManager,
    purchase: EntryKey,
    paymentIntentId: string,
    refundId: string,
    paid: Decimal,
  ): Promise<Entry | undefined> {
    const [row] = await returningRows<EntryRow>(
      manager,
      `UPDATE topup_entries SET refund_key = $5
       WHERE (account_id, entry_id) = (
         SELECT account_id, entry_id FROM topup_entries
         WHERE account_id = $1 AND refund_of = $2 AND starts_with(refund_key, $3 || ':')
           AND paid_amount = $4
         ORDER BY created_at, entry_id LIMIT 1 FOR UPDATE)
       RETURNING ${COLUMNS}`,
      [purchase.accountId, purchase.entryId, paymentIntentId, paid.toFixed(), refundId],
    );
    return row && entryOf(row);
  }

  /** A refund that had taken its credit back failed or was canceled; false when it had already ended. */
  async endRefund(
    manager: EntityManager,
    refund: EntryKey,
    status: 'failed' | 'canceled',
    reason: string,
    at: Date,
  ): Promise<boolean> {
    const rows = await returningRows(
      manager,
      `UPDATE topup_entries SET status = $3, failure_code = $4, settled_at = $5
       WHERE account_id = $1 AND entry_id = $2 AND kind = 'refund' AND status = 'succeeded'
       RETURNING entry_id`,
      [refund.accountId, refund.entryId, status, reason, at],
    );
    return rows.length > 0;
  }

  /** Whose payment a Stripe id is (Stripe ids are unique across accounts); a purchase, never a refund. */
  async keyOfStripeId(
    manager: EntityManager,
    ids: { checkoutSessionId?: string | null; paymentIntentId?: string | null },
  ): Promise<EntryKey | undefined> {
    const [row] = (await manager.query(
      `SELECT account_id, entry_id::text AS entry_id FROM topup_entries
       WHERE checkout_session_id = $1 OR payment_intent_id = $2 LIMIT 1`,
      [ids.checkoutSessionId ?? null, ids.paymentIntentId ?? null],
    )) as Array<{ account_id: string; entry_id: string }>;
    return row && { accountId: row.account_id, entryId: row.entry_id };
  }

  /** Records the Stripe ids a payment got (each unique: one session, one payment intent per payment). */
  async attachStripeIds(
    manager: EntityManager,
    key: EntryKey,
    ids: { checkoutSessionId?: string | null; paymentIntentId?: string | null },
  ): Promise<void> {
    await manager.query(
      `UPDATE topup_entries SET checkout_session_id = coalesce(checkout_session_id, $3),
         payment_intent_id = coalesce(payment_intent_id, $4)
       WHERE account_id = $1 AND entry_id = $2`,
      [key.accountId, key.entryId, ids.checkoutSessionId ?? null, ids.paymentIntentId ?? null],
    );
  }

  /**
   * Marks the payment succeeded and credited; true only for the statement that credited it, so
   * a payment is credited (and announced) once whatever order its events come in.
   */
  async markCredited(manager: EntityManager, key: EntryKey, at: Date): Promise<boolean> {
    const rows = await returningRows(
      manager,
      `UPDATE topup_entries SET status = 'succeeded',
         kind = CASE WHEN trigger = 'auto' THEN 'auto_purchase' ELSE 'purchase' END,
         settled_at = $3, credited_at = $3, next_charge_at = NULL, failure_code = NULL
       WHERE account_id = $1 AND entry_id = $2 AND credited_at IS NULL RETURNING entry_id`,
      [key.accountId, key.entryId, at],
    );
    return rows.length > 0;
  }

  /** Marks an unsettled payment failed; false when it had already succeeded, failed or expired. */
  async markFailed(
    manager: EntityManager,
    key: EntryKey,
    failureCode: string,
    at: Date,
  ): Promise<boolean> {
    const rows = await returningRows(
      manager,
      `UPDATE topup_entries SET status = 'failed', kind = 'failed', failure_code = $3,
         settled_at = $4, next_charge_at = NULL
       WHERE account_id = $1 AND entry_id = $2 AND status IN ('open', 'pending') RETURNING entry_id`,
      [key.accountId, key.entryId, failureCode, at],
    );
    return rows.length > 0;
  }

  async markExpired(manager: EntityManager, key: EntryKey, at: Date): Promise<boolean> {
    const rows = await returningRows(
      manager,
      `UPDATE topup_entries SET status = 'expired', settled_at = $3
       WHERE account_id = $1 AND entry_id = $2 AND status = 'open' RETURNING entry_id`,
      [key.accountId, key.entryId, at],
    );
    return rows.length > 0;
  }

  /** A charge Stripe is still processing: no more calls, its webhook settles it. */
  async awaitWebhook(
    manager: EntityManager,
    key: EntryKey,
    paymentIntentId: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE topup_entries SET payment_intent_id = coalesce(payment_intent_id, $3), next_charge_at = NULL
       WHERE account_id = $1 AND entry_id = $2`,
      [key.accountId, key.entryId, paymentIntentId],
    );
  }

  async retryChargeAt(manager: EntityManager, key: EntryKey, at: Date): Promise<void> {
    await manager.query(
      `UPDATE topup_entries SET next_charge_at = $3 WHERE account_id = $1 AND entry_id = $2 AND status = 'pending'`,
      [key.accountId, key.entryId, at],
    );
  }

  /** A purchase's refunded totals: what its refunds that still stand have taken back. */
  async recordRefunded(
    manager: EntityManager,
    key: EntryKey,
    refundedPaid: Decimal,
    refundedCredit: Decimal,
  ): Promise<void> {
    await manager.query(
      `UPDATE topup_entries SET refunded_paid = $3, refunded_credit = $4 WHERE account_id = $1 AND entry_id = $2`,
      [key.accountId, key.entryId, refundedPaid.toFixed(), refundedCredit.toFixed()],
    );
  }

  /**
   * Automatic charges due for a Stripe call, claimed for `leaseUntil` so that one instance at a
   * time makes the call (a crashed caller's claim runs out and the charge is tried again).
   */
  async claimDueCharges(
    manager: EntityManager,
    now: Date,
    leaseUntil: Date,
    limit: number,
  ): Promise<DueCharge[]> {
    const rows = await returningRows<
      EntryRow & { stripe_customer_id: string | null; stripe_payment_method_id: string | null }
    >(
      manager,
      `WITH due AS (
         SELECT account_id, entry_id FROM topup_entries
         WHERE next_charge_at <= $1 AND status = 'pending'
         ORDER BY next_charge_at LIMIT $3 FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE topup_entries AS e SET next_charge_at = $2, charge_attempts = e.charge_attempts + 1
         FROM due WHERE e.account_id = due.account_id AND e.entry_id = due.entry_id
         RETURNING e.*)
       SELECT ${columns('claimed')},
         s.stripe_customer_id, s.stripe_payment_method_id
       FROM claimed LEFT JOIN auto_topup_settings AS s ON s.account_id = claimed.account_id`,
      [now, leaseUntil, limit],
    );
    return rows.map((row) => ({
      entry: entryOf(row),
      customerId: row.stripe_customer_id,
      paymentMethodId: row.stripe_payment_method_id,
    }));
  }

  /** A page of an account's history, newest first, after the cursor's entry. */
  async page(
    manager: EntityManager,
    accountId: string,
    after: { createdAt: Date; entryId: string } | null,
    limit: number,
  ): Promise<Entry[]> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM topup_entries
       WHERE account_id = $1 AND ($2::timestamptz IS NULL OR (created_at, entry_id) < ($2, $3::uuid))
       ORDER BY created_at DESC, entry_id DESC LIMIT $4`,
      [accountId, after?.createdAt ?? null, after?.entryId ?? null, limit],
    )) as EntryRow[];
    return rows.map(entryOf);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

function entryOf(row: EntryRow): Entry {
  return {
    accountId: row.account_id,
    entryId: row.entry_id,
    kind: row.kind,
    trigger: row.trigger,
    status: row.status,
    creditAmount: new Decimal(row.credit_amount),
    paidAmount: new Decimal(row.paid_amount),
    paidCurrency: row.paid_currency,
    checkoutSessionId: row.checkout_session_id,
    paymentIntentId: row.payment_intent_id,
    decisionId: row.decision_id,
    stripeRef: row.stripe_ref,
    refundedPaid: new Decimal(row.refunded_paid),
    refundedCredit: new Decimal(row.refunded_credit),
    chargeAttempts: row.charge_attempts,
    failureCode: row.failure_code,
    createdAt: new Date(row.created_at),
    settledAt: row.settled_at === null ? null : new Date(row.settled_at),
    creditedAt: row.credited_at === null ? null : new Date(row.credited_at),
  };
}
