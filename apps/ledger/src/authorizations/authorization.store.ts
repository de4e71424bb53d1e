import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { calendarMonthOf } from '@tally/budget-domain';
import { preparedQuery } from '@tally/persistence';
import type { PreparedStatement } from '@tally/persistence';
import type { EntityManager } from 'typeorm';
import { budgetFromRow, budgetsAsJson } from '../books/budget.store';
import type { BudgetRow, StoredBudget } from '../books/budget.store';
import { heldAtSql } from '../holds/holds.store';
import { chargeTermsFromRow, chargeTermsSql, monthKey } from '../plans/plans.store';
import type { AccountChargeTerms, ChargeTermsRow } from '../plans/plans.store';
import type { LedgerCode } from '../books/ledger-codes';
import type { Balances } from '../books/ledger.store';

/** Everything an authorization decides on, read in one statement (one snapshot). */
export interface AuthorizationFacts {
  readonly accountStatus: string;
  /** The account's hold counter as read: a hold is inserted only while it is unchanged. */
  readonly holdsVersion: string;
  readonly balances: Balances;
  readonly budgets: StoredBudget[];
  /** Funds held by live holds of the account, and of the key. */
  readonly held: Decimal;
  readonly keyHeld: Decimal;
  /** The hold an earlier request with the same request_id got, if any. */
  readonly earlier: { reservation_id: string; amount: string; expires_at: string } | null;
  /** The plan a model estimate is priced with, and the monthly cap with this month's charges. */
  readonly terms: AccountChargeTerms;
}

export interface NewHold {
  readonly accountId: string;
  readonly reservationId: string;
  readonly apiKeyId: string;
  readonly requestId: string | null;
  readonly amount: Decimal;
  readonly expiresAt: Date;
}

const FACTS: PreparedStatement = {
  name: 'authorization_facts',
  text: `SELECT a.status, a.holds_version::text AS holds_version,
      (SELECT json_object_agg(code, balance::text) FROM ledger_accounts WHERE account_id = $1) AS balances,
      ${budgetsAsJson('$1')} AS budgets,
      h.held, h.key_held,
      (SELECT json_build_object('reservation_id', reservation_id, 'amount', amount::text, 'expires_at', expires_at)
        FROM reservations WHERE account_id = $1 AND api_key_id = $2 AND request_id = $4) AS earlier,
      ${chargeTermsSql({ account: '$1', month: '$5::date', now: '$3' })} AS terms
    FROM accounts AS a, ${heldAtSql({ account: '$1', apiKey: '$2', now: '$3' })} AS h
    WHERE a.account_id = $1`,
};

const HOLD: PreparedStatement = {
  name: 'authorization_hold',
  text: `WITH serialised AS (
      UPDATE accounts SET holds_version = holds_version + 1
      WHERE account_id = $1 AND holds_version = $7
      RETURNING account_id),
    counted AS (
      UPDATE api_keys SET held = held + $5
      WHERE account_id = (SELECT account_id FROM serialised) AND api_key_id = $3
      RETURNING account_id, api_key_id)
    INSERT INTO reservations (account_id, reservation_id, api_key_id, request_id, amount, status, expires_at)
    SELECT account_id, $2, api_key_id, $4, $5, 'held', $6 FROM counted
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

/** The authorizations' SQL: two round trips for a granted hold, one for a refusal (ADR 0006). */
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
    const [row]: Array<{
      status: string;
      holds_version: string;
      balances: Record<LedgerCode, string> | null;
      budgets: BudgetRow[];
      held: string;
      key_held: string;
      earlier: { reservation_id: string; amount: string; expires_at: string } | null;
      terms: ChargeTermsRow;
    }> = await preparedQuery(manager, FACTS, [
      accountId,
      apiKeyId,
      now,
      requestId,
      monthKey(calendarMonthOf(now)),
    ]);
    if (!row?.balances) return undefined;
    return {
      accountStatus: row.status,
      holdsVersion: row.holds_version,
      balances: new Map(
        Object.entries(row.balances).map(([code, balance]) => [
          code as LedgerCode,
          new Decimal(balance),
        ]),
      ),
      budgets: row.budgets.map(budgetFromRow),
      held: new Decimal(row.held),
      keyHeld: new Decimal(row.key_held),
      earlier: row.earlier,
      terms: chargeTermsFromRow(row.terms, now),
    };
  }

  /**
   * Inserts the hold if the account's hold counter still has the value the facts were read
   * with, and moves the counter on and the key's held total up (ADR 0010). False when another
   * hold came first: the facts are stale and the decision must be taken again (and then sees
   * an earlier hold of the same request id, so the unique index on request ids is only a
   * backstop).
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
    ]);
    return inserted.length === 1;
  }

  /** Waits for and takes the account's row lock until the end of the transaction. */
  async lockAccount(manager: EntityManager, accountId: string): Promise<void> {
    await preparedQuery(manager, LOCK_ACCOUNT, [accountId]);
  }
}
