import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { calendarMonthOf } from '@tally/budget-domain';
import { preparedQuery } from '@tally/persistence';
import type { PreparedStatement } from '@tally/persistence';
import type { EntityManager } from 'typeorm';
import { budgetFromRow, budgetsAsJson } from '../books/budget.store';
import { factsVersionSql } from '../books/facts-versions';
import type { BudgetRow, StoredBudget } from '../books/budget.store';
import { heldAtSql } from '../holds/holds.store';
import { chargeTermsFromRow, chargeTermsSql, monthKey, planVersionSql } from '../plans/plans.store';
import type { AccountChargeTerms, ChargeTermsRow } from '../plans/plans.store';
import type { LedgerCode } from '../books/ledger-codes';
import type { Balances } from '../books/ledger.store';

/** The hold an earlier request with the same request id got, and a digest of that request. */
export interface EarlierHold {
  reservation_id: string;
  amount: string;
  expires_at: string;
  /** Null for holds placed before reservations kept it (ADR 0127). */
  request_fingerprint: string | null;
}

/** Everything an authorization decides on, read in one statement (one snapshot). */
export interface AuthorizationFacts {
  readonly accountStatus: string;
  /** The key was revoked: nothing is decided for it (ADR 0053). */
  readonly keyRevoked: boolean;
  /** The account's hold counter as read: a hold is inserted only while it is unchanged. */
  readonly holdsVersion: string;
  readonly balances: Balances;
  readonly budgets: StoredBudget[];
  /** Funds held by live holds of the account, and of the key. */
  readonly held: Decimal;
  readonly keyHeld: Decimal;
  /** The hold an earlier request with the same request_id got, if any. */
  readonly earlier: EarlierHold | null;
  /** The plan a model estimate is priced with, and the monthly cap with this month's charges. */
  readonly terms: AccountChargeTerms;
  /** The row they were read from, to place a hold later only if they are still these. */
  readonly seen: FactsRow;
}

/** The facts of a key's account as a statement returned them, before `now` is applied. */
export interface FactsRow {
  status: string;
  /** Null when the account has no such key. */
  key_revoked: boolean | null;
  holds_version: string;
  balances: Record<LedgerCode, string> | null;
  budgets: BudgetRow[];
  held: string;
  key_held: string;
  earlier: EarlierHold | null;
  terms: ChargeTermsRow;
  /** The calendar month (its first day) the month counters in `terms` are of. */
  month: string;
  /** The account's facts version (ADR 0048), and the plan's row version (`xmin`) by its name. */
  facts_version: string;
  plan_name: string;
  plan_version: string | null;
}

export interface NewHold {
  readonly accountId: string;
  readonly reservationId: string;
  readonly apiKeyId: string;
  readonly requestId: string | null;
  /** A digest of the request, kept with a hold that has a request id (ADR 0127). */
  readonly requestFingerprint: string | null;
  readonly amount: Decimal;
  readonly expiresAt: Date;
}

/**
 * The facts of $1's key $2 at $3 ($4 the request id, $5 the month). The facts version covers
 * what no hold changes and the plan's row version the plan's terms; the hold counter and the
 * held totals cover the rest.
 */
const FACTS_SQL = `SELECT a.status,
      (SELECT revoked_at IS NOT NULL FROM api_keys WHERE account_id = $1 AND api_key_id = $2) AS key_revoked,
      a.holds_version::text AS holds_version, f.balances, f.budgets,
      h.held, h.key_held,
      (SELECT json_build_object('reservation_id', reservation_id, 'amount', amount::text, 'expires_at', expires_at,
          'request_fingerprint', request_fingerprint)
        FROM reservations WHERE account_id = $1 AND api_key_id = $2 AND request_id = $4) AS earlier,
      f.terms, $5::date::text AS month, ${factsVersionSql('$1')}::text AS facts_version,
      p.plan_name, p.plan_version
    FROM accounts AS a, ${heldAtSql({ account: '$1', apiKey: '$2', now: '$3' })} AS h,
      (SELECT
        (SELECT json_object_agg(code, balance::text ORDER BY code) FROM ledger_accounts WHERE account_id = $1) AS balances,
        ${budgetsAsJson('$1')} AS budgets,
        ${chargeTermsSql({ account: '$1', month: '$5::date', now: '$3' })} AS terms) AS f,
      ${planVersionSql('$1')} AS p
    WHERE a.account_id = $1`;

const FACTS: PreparedStatement = { name: 'authorization_facts', text: FACTS_SQL };

const HOLD: PreparedStatement = {
  name: 'authorization_hold',
  // A revoked key gets no hold (ADR 0053). The counter still moves then: other decisions of
  // the account read their facts again, and nothing else follows from it.
  text: `WITH serialised AS (
      UPDATE accounts SET holds_version = holds_version + 1
      WHERE account_id = $1 AND holds_version = $7
      RETURNING account_id),
    counted AS (
      UPDATE api_keys SET held = held + $5
      WHERE account_id = (SELECT account_id FROM serialised) AND api_key_id = $3 AND revoked_at IS NULL
      RETURNING account_id, api_key_id)
    INSERT INTO reservations (account_id, reservation_id, api_key_id, request_id, request_fingerprint, amount, status, expires_at)
    SELECT account_id, $2, api_key_id, $4, $8, $5, 'held', $6 FROM counted
    RETURNING reservation_id`,
};

const HOLD_IF_CURRENT: PreparedStatement = {
  name: 'authorization_hold_if_current',
  // HOLD's guard, and also every fact the decision was taken on, compared in this statement's
  // snapshot with what the decision saw ($5 to $10) by their versions and the held totals.
  text: `WITH serialised AS (
      UPDATE accounts AS a SET holds_version = holds_version + 1
      FROM ${heldAtSql({ account: '$1', apiKey: '$2', now: '$3' })} AS h
      WHERE a.account_id = $1 AND a.holds_version = $5::bigint AND a.status = $6
        AND ${factsVersionSql('$1')} = $7::bigint
        AND (SELECT xmin::text FROM plans WHERE name = $8) IS NOT DISTINCT FROM $9
        AND h.held::numeric = $10 AND h.key_held::numeric = $11
        AND NOT EXISTS (SELECT 1 FROM reservations WHERE account_id = $1 AND api_key_id = $2 AND request_id = $4)
      RETURNING a.account_id),
    counted AS (
      UPDATE api_keys SET held = held + $12
      WHERE account_id = (SELECT account_id FROM serialised) AND api_key_id = $2 AND revoked_at IS NULL
      RETURNING account_id, api_key_id)
    INSERT INTO reservations (account_id, reservation_id, api_key_id, request_id, request_fingerprint, amount, status, expires_at)
    SELECT account_id, $13, api_key_id, $4, $15, $12, 'held', $14 FROM counted
    RETURNING reservation_id`,
};

const LOCK_ACCOUNT: PreparedStatement = {
  name: 'authorization_lock_account',
  // NO KEY UPDATE, not UPDATE: a posting that settles a hold of this account locks the key
  // row first and then inserts its transaction, whose foreign key takes KEY SHARE on this
  // row. FOR UPDATE would conflict with that while this request waits for the key row: a
  // deadlock. NO KEY UPDATE still queues the account's authorizations one behind the other.
  text: 'SELECT 1 FROM accounts WHERE account_id = $1 FOR NO KEY UPDATE',
};

/**
 * The authorizations' SQL (ADR 0006, ADR 0046, ADR 0048): a hold decided on facts read just
 * before is inserted if the hold counter is unchanged; one decided on facts kept from an
 * earlier request is inserted if their versions and held totals are still the ones it saw.
 */
@Injectable()
export class AuthorizationStore {
  /** The facts of the key's account, or undefined when the account does not exist. */
  async facts(
    manager: EntityManager,
    accountId: string,
    apiKeyId: string,
    requestId: string | null,
    now: Date,
  ): Promise<AuthorizationFacts | undefined> {
    const [row]: FactsRow[] = await preparedQuery(manager, FACTS, [
      accountId,
      apiKeyId,
      now,
      requestId,
      monthKey(calendarMonthOf(now)),
    ]);
    return row?.balances ? factsAt(row, now) : undefined;
  }

  /**
   * Inserts the hold if the account's hold counter still has the value the facts were read
   * with, and moves the counter on and the key's held total up (ADR 0010). False when another
   * hold came first: the facts are stale and the decision must be taken again (and then sees
   * an earlier hold of the same request id, so the unique index on request ids is only a
   * backstop). False too when the key was revoked since (ADR 0053): the facts read again say so.
   */
  async hold(manager: EntityManager, hold: NewHold, holdsVersion: string): Promise<boolean> {
    const inserted = await preparedQuery(manager, HOLD, [
      hold.accountId,
      hold.reservationId,
      hold.apiKeyId,
      hold.requestId,
      hold.amount.toFixed(),
      hold.expiresAt,
      holdsVersion,
      hold.requestFingerprint,
    ]);
    return inserted.length === 1;
  }

  /**
   * Inserts the hold, as `hold` does, only if the facts are still the ones the decision saw
   * (`seen`): the same versions of the account's facts and plan, the same held totals at
   * `now`, no earlier hold with this request id, a key not revoked. False when anything
   * changed: the facts must be read again.
   */
  async holdIfCurrent(
    manager: EntityManager,
    hold: NewHold,
    seen: FactsRow,
    now: Date,
  ): Promise<boolean> {
    const inserted = await preparedQuery(manager, HOLD_IF_CURRENT, [
      hold.accountId,
      hold.apiKeyId,
      now,
      hold.requestId,
      seen.holds_version,
      seen.status,
      seen.facts_version,
      seen.plan_name,
      seen.plan_version,
      seen.held,
      seen.key_held,
      hold.amount.toFixed(),
      hold.reservationId,
      hold.expiresAt,
      hold.requestFingerprint,
    ]);
    return inserted.length === 1;
  }

  /** Waits for and takes the account's row lock until the end of the transaction. */
  async lockAccount(manager: EntityManager, accountId: string): Promise<void> {
    await preparedQuery(manager, LOCK_ACCOUNT, [accountId]);
  }
}

/** The facts of a row as they stand at `now` (budget periods and coupons depend on it). */
export function factsAt(row: FactsRow, now: Date): AuthorizationFacts {
  return {
    accountStatus: row.status,
    keyRevoked: row.key_revoked !== false,
    holdsVersion: row.holds_version,
    balances: new Map(
      Object.entries(row.balances ?? {}).map(([code, balance]) => [
        code as LedgerCode,
        new Decimal(balance),
      ]),
    ),
    budgets: row.budgets.map(budgetFromRow),
    held: new Decimal(row.held),
    keyHeld: new Decimal(row.key_held),
    earlier: row.earlier,
    terms: chargeTermsFromRow(row.terms, now),
    seen: row,
  };
}

/**
 * Facts kept from an earlier request as they stand at `now`: of what they hold, only the plan
 * terms depend on the time (a coupon ends), so the rest is not made again. None once a new
 * month began: their month counters (volume tier, cap) are the last month's, and no writer
 * moves the facts version at midnight.
 */
export function keptFactsAt(facts: AuthorizationFacts, now: Date): AuthorizationFacts | undefined {
  if (facts.seen.month !== monthKey(calendarMonthOf(now))) return undefined;
  return { ...facts, terms: chargeTermsFromRow(facts.seen.terms, now) };
}

/** The facts after this instance placed a hold on them: the counter one on, the totals up. */
export function factsAfterHold(facts: AuthorizationFacts, amount: Decimal): AuthorizationFacts {
  const holdsVersion = (BigInt(facts.holdsVersion) + 1n).toString();
  const held = facts.held.plus(amount);
  const keyHeld = facts.keyHeld.plus(amount);
  return {
    ...facts,
    holdsVersion,
    held,
    keyHeld,
    seen: {
      ...facts.seen,
      holds_version: holdsVersion,
      held: held.toFixed(),
      key_held: keyHeld.toFixed(),
    },
  };
}
