import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { joinJsonTexts, jsonTextsSql } from '@tally/persistence';
import type { EntityManager } from 'typeorm';
import { ALL_LEDGER_CODES } from './ledger-codes';
import type { LedgerCode } from './ledger-codes';

export type Balances = Map<LedgerCode, Decimal>;

export interface NewTransaction {
  readonly accountId: string;
  readonly transactionId: string;
  readonly kind: string;
  readonly sourceId: string;
  readonly occurredAt: string;
  readonly details: Record<string, unknown>;
  readonly postings: ReadonlyArray<{ readonly code: LedgerCode; readonly amount: Decimal }>;
}

/**
 * The ledger's SQL, set-based: one statement per kind of row for a whole batch, whatever
 * its size. Every statement is scoped by account id.
 */
@Injectable()
export class LedgerStore {
  /**
   * Opens the accounts that do not exist yet, with all their ledger accounts, in one
   * statement. Ledger accounts are created only with their account, so an account that
   * exists has all of them and a batch of known accounts inserts nothing.
   */
  async openAccounts(
    manager: EntityManager,
    accountIds: string[],
    openedBy: 'command' | 'usage' | 'payment',
  ): Promise<void> {
    await manager.query(
      `WITH opened AS (
         INSERT INTO accounts (account_id, name, opened_by)
         SELECT id, id, $2 FROM unnest($1::text[]) AS id
         ON CONFLICT DO NOTHING
         RETURNING account_id)
       INSERT INTO ledger_accounts (account_id, code)
       SELECT account_id, code FROM opened CROSS JOIN unnest($3::text[]) AS code`,
      [accountIds, openedBy, ALL_LEDGER_CODES],
    );
  }

  /** Locks the accounts' ledger rows for this transaction and returns their balances. */
  async lockBalances(manager: EntityManager, accountIds: string[]): Promise<Map<string, Balances>> {
    const rows: Array<{ account_id: string; code: LedgerCode; balance: string }> =
      await manager.query(
        `SELECT account_id, code, balance FROM ledger_accounts
       WHERE account_id = ANY($1::text[])
       ORDER BY account_id, code
       FOR UPDATE`,
        [accountIds],
      );
    const balances = new Map<string, Balances>();
    for (const row of rows) {
      let account = balances.get(row.account_id);
      if (!account) balances.set(row.account_id, (account = new Map()));
      account.set(row.code, new Decimal(row.balance));
    }
    return balances;
  }

  /** An earlier transaction created from the same outside id, if any (idempotency). */
  async findTransaction(
    manager: EntityManager,
    accountId: string,
    kind: string,
    sourceId: string,
  ): Promise<{ transaction_id: string } | undefined> {
    const [row]: Array<{ transaction_id: string }> = await manager.query(
      'SELECT transaction_id FROM transactions WHERE account_id = $1 AND kind = $2 AND source_id = $3',
      [accountId, kind, sourceId],
    );
    return row;
  }

  /** Inserts transactions with their postings and moves the cached balances by the same amounts. */
  async post(manager: EntityManager, transactions: readonly NewTransaction[]): Promise<void> {
    if (transactions.length === 0) return;
    await manager.query(
      `INSERT INTO transactions (account_id, transaction_id, kind, source_id, occurred_at, details)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], ${jsonTextsSql(6)}::jsonb[])`,
      [
        transactions.map((t) => t.accountId),
        transactions.map((t) => t.transactionId),
        transactions.map((t) => t.kind),
        transactions.map((t) => t.sourceId),
        transactions.map((t) => t.occurredAt),
        joinJsonTexts(transactions.map((t) => JSON.stringify(t.details))),
      ],
    );
    const postings = transactions.flatMap((t) =>
      t.postings
        .filter((p) => !p.amount.isZero())
        .map((p) => ({ ...p, accountId: t.accountId, transactionId: t.transactionId })),
    );
    await manager.query(
      `INSERT INTO postings (account_id, transaction_id, ledger_code, amount)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::numeric[])`,
      [
        postings.map((p) => p.accountId),
        postings.map((p) => p.transactionId),
        postings.map((p) => p.code),
        postings.map((p) => p.amount.toFixed()),
      ],
    );
    const deltas = new Map<string, { accountId: string; code: LedgerCode; delta: Decimal }>();
    for (const posting of postings) {
      const key = `${posting.accountId}\u0000${posting.code}`;
      const entry = deltas.get(key);
      if (entry) entry.delta = entry.delta.plus(posting.amount);
      else
        deltas.set(key, {
          accountId: posting.accountId,
          code: posting.code,
          delta: posting.amount,
        });
    }
    const changes = [...deltas.values()];
    await manager.query(
      `UPDATE ledger_accounts AS l
       SET balance = l.balance + d.delta, version = l.version + 1
       FROM unnest($1::text[], $2::text[], $3::numeric[]) AS d(account_id, code, delta)
       WHERE l.account_id = d.account_id AND l.code = d.code`,
      [
        changes.map((c) => c.accountId),
        changes.map((c) => c.code),
        changes.map((c) => c.delta.toFixed()),
      ],
    );
  }
}

/** An account's balances from `lockBalances`, which every caller opened first (`openAccounts`). */
export function balancesOf(balances: ReadonlyMap<string, Balances>, accountId: string): Balances {
  const found = balances.get(accountId);
  if (!found)
    throw new Error(
      `ledger accounts of ${accountId} were not locked: open and lock them before posting`,
    );
  return found;
}
