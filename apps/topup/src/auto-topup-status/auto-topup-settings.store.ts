import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { returningRows } from '@tally/persistence';
import type { EntityManager } from 'typeorm';
import type { EntryKey } from '../entries/entries.store';

/** An account's auto top-up settings and what top-up recorded about it. */
export interface StoredSettings {
  readonly accountId: string;
  readonly enabled: boolean;
  readonly amountPaid: Decimal;
  readonly paidCurrency: string;
  readonly triggerBelowPercent: Decimal;
  readonly monthlyLimit: Decimal;
  readonly customerId: string | null;
  /** Only for the off-session charge itself: never copied anywhere else, shown masked. */
  readonly paymentMethodId: string | null;
  readonly pausedAt: Date | null;
  /** The failed charge's failure code, or DISPUTE_LOST_PAUSE. */
  readonly pauseReason: string | null;
  readonly lastBalanceSequence: number | null;
  /** available_percent of that balance (null before it was kept). */
  readonly lastAvailablePercent: Decimal | null;
  readonly lastDecision: string | null;
  readonly statusSequence: number;
  readonly publishedStatus: unknown;
}

/** The settings with the payments facts the policy needs, read in the same statement. */
export interface AccountAutoTopUp {
  readonly settings: StoredSettings;
  /** Successful automatic charges decided since the month's start (manual ones never count). */
  readonly monthAutoPaid: Decimal;
  readonly lastAutoSuccessAt: Date | null;
  /** When the automatic charge in flight was decided; null when none is. */
  readonly pendingSince: Date | null;
}

export interface SettingsDefaults {
  readonly amountPaid: Decimal;
  readonly paidCurrency: string;
  readonly triggerBelowPercent: Decimal;
  readonly monthlyLimit: Decimal;
}

interface SettingsRow {
  account_id: string;
  enabled: boolean;
  amount_paid: string;
  paid_currency: string;
  trigger_below_percent: string;
  monthly_limit: string;
  stripe_customer_id: string | null;
  stripe_payment_method_id: string | null;
  paused_at: Date | string | null;
  pause_reason: string | null;
  last_balance_sequence: string | null;
  last_available_percent: string | null;
  last_decision: string | null;
  status_sequence: string;
  published_status: unknown;
  month_auto_paid: string;
  last_auto_success_at: Date | string | null;
  pending_since: Date | string | null;
}

// A refund of an automatic top-up is a succeeded entry with trigger 'auto' too: only the
// purchases themselves are automatic payments (monthly limit) and successes (cooldown). A
// purchase counts in the month it was decided, whenever Stripe settled it (ADR 0172).
const WITH_FACTS = `SELECT s.account_id, s.enabled, s.amount_paid::text AS amount_paid, s.paid_currency,
    s.trigger_below_percent::text AS trigger_below_percent, s.monthly_limit::text AS monthly_limit,
    s.stripe_customer_id, s.stripe_payment_method_id, s.paused_at, s.pause_reason,
    s.last_balance_sequence::text AS last_balance_sequence,
    s.last_available_percent::text AS last_available_percent, s.last_decision,
    s.status_sequence::text AS status_sequence, s.published_status,
    (SELECT coalesce(sum(e.paid_amount), 0)::text FROM topup_entries AS e
      WHERE e.account_id = s.account_id AND e.trigger = 'auto' AND e.status = 'succeeded'
        AND e.kind = 'auto_purchase' AND e.created_at >= $2) AS month_auto_paid,
    (SELECT max(e.settled_at) FROM topup_entries AS e
      WHERE e.account_id = s.account_id AND e.trigger = 'auto' AND e.status = 'succeeded'
        AND e.kind = 'auto_purchase') AS last_auto_success_at,
    (SELECT e.created_at FROM topup_entries AS e
      WHERE e.account_id = s.account_id AND e.trigger = 'auto' AND e.status = 'pending') AS pending_since
  FROM auto_topup_settings AS s WHERE s.account_id = ANY($1::text[])`;

/** Every SQL statement on auto_topup_settings and auto_topup_last_balances. */
@Injectable()
export class AutoTopUpSettingsStore {
  /** Locks the accounts' settings rows, in account order so two callers never deadlock. */
  async lockRows(manager: EntityManager, accountIds: readonly string[]): Promise<void> {
    if (accountIds.length === 0) return;
    await manager.query(
      `SELECT 1 FROM auto_topup_settings WHERE account_id = ANY($1::text[])
       ORDER BY account_id FOR UPDATE`,
      [[...accountIds]],
    );
  }

  /**
   * The accounts' settings and facts, locked. The facts are read by a statement after the
   * lock: one that waited for it would still see the entries of the snapshot it began with.
   */
  async lock(
    manager: EntityManager,
    accountIds: readonly string[],
    monthStart: Date,
  ): Promise<AccountAutoTopUp[]> {
    if (accountIds.length === 0) return [];
    await this.lockRows(manager, accountIds);
    const rows = (await manager.query(`${WITH_FACTS} ORDER BY s.account_id`, [
      [...accountIds],
      monthStart,
    ])) as SettingsRow[];
    return rows.map(accountOf);
  }

  /**
   * Accounts announced in a state that time alone ends (cooldown, monthly limit), or announced
   * with automatic payments of which none is of the month of `monthStart` (the month they were
   * announced in has ended), after `afterAccountId` in account order, unlocked: the caller
   * locks the ones it acts on. The month's payments are looked up per account, in the index of
   * automatic successes: a NOT EXISTS under the OR was planned as a hash of every payment.
   * A charge counts in the month it was decided (ADR 0172); it settles after that, so the
   * settlement bound changes nothing but lets the index bound the lookup.
   */
  async timeBound(
    manager: EntityManager,
    afterAccountId: string,
    limit: number,
    monthStart: Date,
  ): Promise<AccountAutoTopUp[]> {
    const ids = (await manager.query(
      `SELECT s.account_id FROM auto_topup_settings AS s
       WHERE s.account_id > $1
         AND (s.published_status->>'state' IN ('cooldown', 'monthly_limit_reached')
           OR ((s.published_status->>'month_auto_paid')::numeric <> 0 AND (
             SELECT 1 FROM topup_entries AS e
             WHERE e.account_id = s.account_id AND e.trigger = 'auto' AND e.status = 'succeeded'
               AND e.kind = 'auto_purchase' AND e.created_at >= $3 AND e.settled_at >= $3
               LIMIT 1) IS NULL))
       ORDER BY s.account_id LIMIT $2`,
      [afterAccountId, limit, monthStart],
    )) as Array<{ account_id: string }>;
    if (ids.length === 0) return [];
    const rows = (await manager.query(`${WITH_FACTS} ORDER BY s.account_id`, [
      ids.map((row) => row.account_id),
      monthStart,
    ])) as SettingsRow[];
    return rows.map(accountOf);
  }

  /** The account's settings and facts as a snapshot sees them, unlocked. */
  async read(
    manager: EntityManager,
    accountId: string,
    monthStart: Date,
  ): Promise<AccountAutoTopUp | undefined> {
    const [row] = (await manager.query(WITH_FACTS, [[accountId], monthStart])) as SettingsRow[];
    return row && accountOf(row);
  }

  /**
   * Creates the account's settings with the defaults, unless it has some, from the last balance
   * the ledger announced. Its row is locked first (a placeholder when none came yet), as the
   * consumer locks it before the settings: a balance kept meanwhile is never lost between them.
   */
  async ensure(
    manager: EntityManager,
    accountId: string,
    defaults: SettingsDefaults,
  ): Promise<void> {
    await manager.query(
      `WITH kept AS (
         INSERT INTO auto_topup_last_balances (account_id) VALUES ($1)
         ON CONFLICT (account_id) DO UPDATE SET account_id = EXCLUDED.account_id
         RETURNING sequence, available_percent)
       INSERT INTO auto_topup_settings (account_id, amount_paid, paid_currency, trigger_below_percent,
         monthly_limit, last_balance_sequence, last_available_percent)
       SELECT $1, $2, $3, $4, $5, kept.sequence, kept.available_percent FROM kept
       ON CONFLICT (account_id) DO NOTHING`,
      [
        accountId,
        defaults.amountPaid.toFixed(),
        defaults.paidCurrency,
        defaults.triggerBelowPercent.toFixed(),
        defaults.monthlyLimit.toFixed(),
      ],
    );
  }

  /**
   * Keeps each account's newest balance, settings or not, in one statement per batch; locks
   * their rows in account order, before the caller locks any settings.
   */
  async keepLastBalances(
    manager: EntityManager,
    balances: ReadonlyArray<{ accountId: string; sequence: number; availablePercent: Decimal }>,
  ): Promise<void> {
    if (balances.length === 0) return;
    await manager.query(
      `INSERT INTO auto_topup_last_balances AS kept (account_id, sequence, available_percent)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::numeric[]) ORDER BY 1
       ON CONFLICT (account_id) DO UPDATE
         SET sequence = EXCLUDED.sequence, available_percent = EXCLUDED.available_percent
         WHERE kept.sequence IS NULL OR kept.sequence < EXCLUDED.sequence`,
      [
        balances.map((balance) => balance.accountId),
        balances.map((balance) => String(balance.sequence)),
        balances.map((balance) => balance.availablePercent.toFixed()),
      ],
    );
  }

  /** A saved payment method: charges use it from now on, and a pause after a failure ends. */
  async saveMethod(
    manager: EntityManager,
    accountId: string,
    customerId: string,
    paymentMethodId: string,
    enable: boolean,
  ): Promise<void> {
    await manager.query(
      `UPDATE auto_topup_settings SET stripe_customer_id = $2, stripe_payment_method_id = $3,
         enabled = enabled OR $4, paused_at = NULL, pause_reason = NULL, paused_by_entry = NULL,
         updated_at = now()
       WHERE account_id = $1`,
      [accountId, customerId, paymentMethodId, enable],
    );
  }

  /** Forgets a payment method Stripe detached; returns the accounts that used it. */
  async forgetMethod(manager: EntityManager, paymentMethodId: string): Promise<string[]> {
    const rows = await returningRows<{ account_id: string }>(
      manager,
      `UPDATE auto_topup_settings SET stripe_payment_method_id = NULL, updated_at = now()
       WHERE stripe_payment_method_id = $1 RETURNING account_id`,
      [paymentMethodId],
    );
    return rows.map((row) => row.account_id);
  }

  async update(
    manager: EntityManager,
    accountId: string,
    change: {
      enabled?: boolean | undefined;
      amountPaid?: Decimal | undefined;
      triggerBelowPercent?: Decimal | undefined;
      monthlyLimit?: Decimal | undefined;
    },
  ): Promise<void> {
    await manager.query(
      `UPDATE auto_topup_settings SET enabled = coalesce($2, enabled),
         amount_paid = coalesce($3, amount_paid),
         trigger_below_percent = coalesce($4, trigger_below_percent),
         monthly_limit = coalesce($5, monthly_limit),
         paused_at = CASE WHEN $2 THEN NULL ELSE paused_at END,
         pause_reason = CASE WHEN $2 THEN NULL ELSE pause_reason END,
         paused_by_entry = CASE WHEN $2 THEN NULL ELSE paused_by_entry END,
         updated_at = now()
       WHERE account_id = $1`,
      [
        accountId,
        change.enabled ?? null,
        change.amountPaid?.toFixed() ?? null,
        change.triggerBelowPercent?.toFixed() ?? null,
        change.monthlyLimit?.toFixed() ?? null,
      ],
    );
  }

  /**
   * After a failed or action-requiring charge, or a lost dispute (the refund entry it made): no
   * automatic charge until a new method, a re-enable, or that entry's own late success
   * (`liftPauseOf`, which a refund entry never has).
   */
  async pause(manager: EntityManager, cause: EntryKey, reason: string, at: Date): Promise<void> {
    await manager.query(
      `UPDATE auto_topup_settings SET paused_at = $3, pause_reason = $2, paused_by_entry = $4,
         updated_at = now()
       WHERE account_id = $1`,
      [cause.accountId, reason, at, cause.entryId],
    );
  }

  /**
   * Stripe reports a charge recorded failed succeeded after all: the pause its failure made
   * ends. A pause made by anything later stays; true when the pause was this charge's.
   * The pause must also be at the failure's time, and one naming no charge is taken as the
   * failure's made then (ADR 0165): instances of the release before ADR 0145 pause without
   * naming the charge and end a pause without clearing the name.
   */
  async liftPauseOf(
    manager: EntityManager,
    succeeded: EntryKey & { readonly settledAt: Date | null },
  ): Promise<boolean> {
    if (!succeeded.settledAt) return false;
    const rows = await returningRows(
      manager,
      `UPDATE auto_topup_settings SET paused_at = NULL, pause_reason = NULL, paused_by_entry = NULL,
         updated_at = now()
       WHERE account_id = $1 AND paused_at = $3
         AND (paused_by_entry = $2 OR paused_by_entry IS NULL) RETURNING account_id`,
      [succeeded.accountId, succeeded.entryId, succeeded.settledAt],
    );
    return rows.length > 0;
  }

  /** The balance state applied last and what was decided on it. */
  async recordDecision(
    manager: EntityManager,
    accountId: string,
    balance: { sequence: number; availablePercent: Decimal },
    decision: string | null,
    at: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE auto_topup_settings SET last_balance_sequence = $2, last_available_percent = $5,
         last_decision = coalesce($3, last_decision),
         last_decision_at = CASE WHEN $3::text IS NULL THEN last_decision_at ELSE $4 END
       WHERE account_id = $1`,
      [accountId, balance.sequence, decision, at, balance.availablePercent.toFixed()],
    );
  }

  async recordPublished(
    manager: EntityManager,
    accountId: string,
    sequence: number,
    status: unknown,
  ): Promise<void> {
    await manager.query(
      `UPDATE auto_topup_settings SET status_sequence = $2, published_status = $3::jsonb WHERE account_id = $1`,
      [accountId, sequence, JSON.stringify(status)],
    );
  }
}

function accountOf(row: SettingsRow): AccountAutoTopUp {
  return {
    settings: {
      accountId: row.account_id,
      enabled: row.enabled,
      amountPaid: new Decimal(row.amount_paid),
      paidCurrency: row.paid_currency,
      triggerBelowPercent: new Decimal(row.trigger_below_percent),
      monthlyLimit: new Decimal(row.monthly_limit),
      customerId: row.stripe_customer_id,
      paymentMethodId: row.stripe_payment_method_id,
      pausedAt: row.paused_at === null ? null : new Date(row.paused_at),
      pauseReason: row.pause_reason,
      lastBalanceSequence:
        row.last_balance_sequence === null ? null : Number(row.last_balance_sequence),
      lastAvailablePercent:
        row.last_available_percent === null ? null : new Decimal(row.last_available_percent),
      lastDecision: row.last_decision,
      statusSequence: Number(row.status_sequence),
      publishedStatus: row.published_status,
    },
    monthAutoPaid: new Decimal(row.month_auto_paid),
    lastAutoSuccessAt:
      row.last_auto_success_at === null ? null : new Date(row.last_auto_success_at),
    pendingSince: row.pending_since === null ? null : new Date(row.pending_since),
  };
}
