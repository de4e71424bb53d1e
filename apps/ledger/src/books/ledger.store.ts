import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { joinJsonTexts, jsonTextsSql, pgArray } from '@tally/persistence';
import type { EntityManager } from 'typeorm';
import { moveFactsVersionsSql } from './facts-versions';
import { ALL_LEDGER_CODES } from './ledger-codes';
import type { LedgerCode } from './ledger-codes';

export type Balances = Map<LedgerCode, Decimal>;

/** An account's balances as locked for a transaction. */
export interface LockedAccount {
  readonly balances: Balances;
}

/** What opened an account: a command creating it, or the first usage or payment naming it. */
export type OpenedBy = 'command' | 'usage' | 'payment';

export interface NewTransaction {
  readonly accountId: string;
  readonly transactionId: string;
  readonly kind: string;
  readonly sourceId: string;
  readonly occurredAt: string;
  readonly details: Record<string, unknown>;
  readonly postings: ReadonlyArray<{ readonly code: LedgerCode; readonly amount: Decimal }>;
  /** A usage transaction's events, one line each; its postings are their sums. */
  readonly lines?: readonly UsageLine[];
}

/** One usage event as the ledger posted it, and what paid for it. */
export interface UsageLine {
  /** The event's identity (source and id), unique in the account's books. */
  readonly sourceId: string;
  readonly usageId: string;
  readonly source: string;
  readonly apiKeyId: string | null;
  readonly service: string;
  readonly provider: string;
  readonly model: string;
  readonly occurredAt: string;
  /** Input plus output tokens: what the line added to the month's volume. */
  readonly tokens: number;
  /** Provider cost, and what the account's plan made of it: charged = cost + markup − discount. */
  readonly cost: Decimal;
  readonly markup: Decimal;
  readonly discount: Decimal;
  readonly charged: Decimal;
  /** What paid for `charged`. */
  readonly fromAllowance: Decimal;
  readonly fromCredit: Decimal;
  readonly toOverage: Decimal;
  readonly reservationId: string | null;
}

/**
 * A parameter of source ids: they are JSON texts (`usageDedupKey`), so they travel joined as one
 * text, not as an array literal that would escape each of their quotes.
 */
const JSON_TEXTS = 'json texts';

/**
 * usage_lines' columns: name, the SQL type of its unnest array (or JSON_TEXTS), and a line's
 * value as text.
 */
const USAGE_LINE_COLUMNS: ReadonlyArray<
  readonly [string, string, (line: UsageLine, transaction: NewTransaction) => string | null]
> = [
  ['account_id', 'text', (_, t) => t.accountId],
  ['source_id', JSON_TEXTS, (l) => l.sourceId],
  ['transaction_id', 'uuid', (_, t) => t.transactionId],
  ['usage_id', 'text', (l) => l.usageId],
  ['source', 'text', (l) => l.source],
  ['api_key_id', 'text', (l) => l.apiKeyId],
  ['service', 'text', (l) => l.service],
  ['provider', 'text', (l) => l.provider],
  ['model', 'text', (l) => l.model],
  ['occurred_at', 'timestamptz', (l) => l.occurredAt],
  ['cost', 'numeric', (l) => l.cost.toFixed()],
  ['from_allowance', 'numeric', (l) => l.fromAllowance.toFixed()],
  ['from_credit', 'numeric', (l) => l.fromCredit.toFixed()],
  ['to_overage', 'numeric', (l) => l.toOverage.toFixed()],
  ['reservation_id', 'text', (l) => l.reservationId],
  ['tokens', 'bigint', (l) => String(l.tokens)],
  ['markup', 'numeric', (l) => l.markup.toFixed()],
  ['discount', 'numeric', (l) => l.discount.toFixed()],
  ['charged', 'numeric', (l) => l.charged.toFixed()],
];

const INSERT_USAGE_LINES = `INSERT INTO usage_lines (${USAGE_LINE_COLUMNS.map(([name]) => name).join(', ')})
  SELECT * FROM unnest(${USAGE_LINE_COLUMNS.map(([, type], i) => (type === JSON_TEXTS ? jsonTextsSql(i + 1) : `$${i + 1}::${type}[]`)).join(', ')})`;

/**
 * The ledger's SQL, set-based: one statement per kind of row for a whole batch, whatever
 * its size. Every statement is scoped by account id.
 */
@Injectable()
export class LedgerStore {
  /**
   * Opens the accounts that do not exist yet, with all their ledger accounts, in one
   * statement; returns the ids it opened. Ledger accounts are created only with their account, so an account that
   * exists has all of them and a batch of known accounts inserts nothing.
   */
  async openAccounts(
    manager: EntityManager,
    accountIds: readonly string[],
    openedBy: OpenedBy,
  ): Promise<Set<string>> {
    const rows: Array<{ account_id: string }> = await manager.query(
      `WITH opened AS (
         INSERT INTO accounts (account_id, name, opened_by)
         SELECT id, id, $2 FROM unnest($1::text[]) AS id
         ON CONFLICT DO NOTHING
         RETURNING account_id)
       INSERT INTO ledger_accounts (account_id, code)
       SELECT account_id, code FROM opened CROSS JOIN unnest($3::text[]) AS code
       RETURNING account_id`,
      [accountIds, openedBy, ALL_LEDGER_CODES],
    );
    return new Set(rows.map((row) => row.account_id));
  }

  /**
   * Moves the accounts' facts versions on (ADR 0048): facts an authorization kept from before
   * this transaction are stale once it commits. After `lockBalances`, whose locks order it.
   * Returns each account's new version, the sequence of its balance announcements (ADR 0059).
   */
  async moveFactsVersions(
    manager: EntityManager,
    accountIds: readonly string[],
  ): Promise<Map<string, number>> {
    const rows: Array<{ account_id: string; version: string }> = await manager.query(
      `${moveFactsVersionsSql('$1')} RETURNING account_id, version`,
      [accountIds],
    );
    return new Map(rows.map((row) => [row.account_id, Number(row.version)]));
  }

  /** Locks the accounts' ledger rows for this transaction and returns their balances. */
  async lockBalances(
    manager: EntityManager,
    accountIds: readonly string[],
  ): Promise<Map<string, LockedAccount>> {
    const rows: Array<{ account_id: string; code: LedgerCode; balance: string }> =
      await manager.query(
        `SELECT account_id, code, balance FROM ledger_accounts
       WHERE account_id = ANY($1::text[])
       ORDER BY account_id, code
       FOR UPDATE`,
        [accountIds],
      );
    const accounts = new Map<string, LockedAccount>();
    for (const row of rows) {
      let account = accounts.get(row.account_id);
      if (!account) accounts.set(row.account_id, (account = { balances: new Map() }));
      account.balances.set(row.code, new Decimal(row.balance));
    }
    return accounts;
  }

  /** An account's balances as the caller's snapshot sees them, without a lock (empty when it does not exist). */
  async readBalances(manager: EntityManager, accountId: string): Promise<Balances> {
    const rows: Array<{ code: LedgerCode; balance: string }> = await manager.query(
      'SELECT code, balance FROM ledger_accounts WHERE account_id = $1',
      [accountId],
    );
    return new Map(rows.map((row) => [row.code, new Decimal(row.balance)]));
  }

  /** Inserts transactions with their postings and moves the cached balances by the same amounts. */
  async post(
    manager: EntityManager,
    transactions: readonly NewTransaction[],
    postedAt: Date,
  ): Promise<void> {
    if (transactions.length === 0) return;
    await manager.query(
      `INSERT INTO transactions (account_id, transaction_id, kind, source_id, occurred_at, details, posted_at)
       SELECT *, $7::timestamptz FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], ${jsonTextsSql(6)}::jsonb[])`,
      [
        transactions.map((t) => t.accountId),
        transactions.map((t) => t.transactionId),
        transactions.map((t) => t.kind),
        transactions.map((t) => t.sourceId),
        transactions.map((t) => t.occurredAt),
        joinJsonTexts(transactions.map((t) => JSON.stringify(t.details))),
        postedAt,
      ],
    );
    const postings = transactions.flatMap((t) =>
      t.postings
        .filter((p) => !p.amount.isZero())
        .map((p) => ({
          code: p.code,
          amount: p.amount,
          accountId: t.accountId,
          transactionId: t.transactionId,
        })),
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
    await this.insertLines(manager, transactions);
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

  /** Of these (account, source id) pairs, those a usage line already has. */
  async postedLines(
    manager: EntityManager,
    lines: ReadonlyArray<{ readonly accountId: string; readonly sourceId: string }>,
  ): Promise<Set<string>> {
    if (lines.length === 0) return new Set();
    // One probe of the primary key per line (the LIMIT keeps it a nested loop): a plain join,
    // with statistics behind a growing table, hashed the whole table for every slice.
    const rows: Array<{ source_id: string }> = await manager.query(
      `SELECT n.source_id FROM unnest($1::text[], ${jsonTextsSql(2)}) AS n(account_id, source_id)
       CROSS JOIN LATERAL (SELECT 1 FROM usage_lines AS l
         WHERE l.account_id = n.account_id AND l.source_id = n.source_id LIMIT 1) AS posted`,
      [
        pgArray(lines.map((line) => line.accountId)),
        joinJsonTexts(lines.map((line) => line.sourceId)),
      ],
    );
    return new Set(rows.map((row) => row.source_id));
  }

  private async insertLines(
    manager: EntityManager,
    transactions: readonly NewTransaction[],
  ): Promise<void> {
    if (!transactions.some((transaction) => transaction.lines?.length)) return;
    // Straight into the columns: a slice's lines outlive a round trip, so a copy of each line
    // would be promoted to the old generation and cost a major GC.
    const columns = USAGE_LINE_COLUMNS.map(([, type, value]) => ({
      type,
      value,
      values: [] as Array<string | null>,
    }));
    for (const transaction of transactions) {
      for (const line of transaction.lines ?? []) {
        for (const column of columns) column.values.push(column.value(line, transaction));
      }
    }
    await manager.query(
      INSERT_USAGE_LINES,
      columns.map((column) =>
        column.type === JSON_TEXTS
          ? joinJsonTexts(column.values as string[])
          : pgArray(column.values),
      ),
    );
  }
}
