import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What reconciliation finds wrong; every list is empty in sound books. */
export interface BooksFindings {
  /** Sum of every posting ever made: zero in a sound double-entry ledger. */
  readonly total: string;
  readonly balances: Array<{ account_id: string; code: string; cached: string; derived: string }>;
  readonly unbalanced: Array<{ account_id: string; transaction_id: string; total: string }>;
  readonly orphans: Array<{ account_id: string; transaction_id: string; ledger_account: string }>;
  /**
   * Usage transactions whose postings are not the sums of their lines (revenue: what was
   * charged), or with a line whose charge or funding does not add up.
   */
  readonly lines: Array<{ account_id: string; transaction_id: string }>;
  /** Months whose counters are not the sums of the lines posted in them. */
  readonly months: Array<{
    account_id: string;
    month: string;
    counted_tokens: string;
    posted_tokens: string;
    counted_charged: string;
    posted_charged: string;
  }>;
  readonly heldTotals: Array<{
    account_id: string;
    api_key_id: string;
    cached: string;
    derived: string;
  }>;
  readonly orphanHolds: Array<{ account_id: string; api_key_id: string; reservation_id: string }>;
}

/** Reconciliation's SQL: whole-ledger scans, run in one snapshot by the caller. */
@Injectable()
export class ReconciliationStore {
  async read(manager: EntityManager): Promise<BooksFindings> {
    const [{ total }]: Array<{ total: string }> = await manager.query(
      'SELECT coalesce(sum(amount), 0)::text AS total FROM postings',
    );
    const balances: BooksFindings['balances'] = await manager.query(`
      SELECT l.account_id, l.code, l.balance::text AS cached, coalesce(p.total, 0)::text AS derived
      FROM ledger_accounts l
      LEFT JOIN (SELECT account_id, ledger_code, sum(amount) AS total FROM postings GROUP BY account_id, ledger_code) p
        ON p.account_id = l.account_id AND p.ledger_code = l.code
      WHERE l.balance <> coalesce(p.total, 0)
      ORDER BY l.account_id, l.code`);
    const unbalanced: BooksFindings['unbalanced'] = await manager.query(`
      SELECT account_id, transaction_id, sum(amount)::text AS total FROM postings
      GROUP BY account_id, transaction_id HAVING sum(amount) <> 0
      ORDER BY account_id, transaction_id`);
    // Postings have no foreign keys (ADR 0007): each must still have its transaction and ledger account.
    const orphans: BooksFindings['orphans'] = await manager.query(`
      SELECT p.account_id, p.transaction_id, p.ledger_code AS ledger_account FROM postings p
      WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.account_id = p.account_id AND t.transaction_id = p.transaction_id)
         OR NOT EXISTS (SELECT 1 FROM ledger_accounts l WHERE l.account_id = p.account_id AND l.code = p.ledger_code)
      ORDER BY p.account_id, p.transaction_id, p.ledger_code
      LIMIT 1000`);
    // Each key's held total (ADR 0010) must equal the sum of its reservations in status held.
    const heldTotals: BooksFindings['heldTotals'] = await manager.query(`
      SELECT k.account_id, k.api_key_id, k.held::text AS cached, coalesce(r.held, 0)::text AS derived
      FROM api_keys k
      LEFT JOIN (SELECT account_id, api_key_id, sum(amount) AS held FROM reservations WHERE status = 'held' GROUP BY account_id, api_key_id) r
        ON r.account_id = k.account_id AND r.api_key_id = k.api_key_id
      WHERE k.held <> coalesce(r.held, 0)
      ORDER BY k.account_id, k.api_key_id`);
    // Reservations have no foreign key (ADR 0056): each must still belong to a key of its account.
    const orphanHolds: BooksFindings['orphanHolds'] = await manager.query(`
      SELECT r.account_id, r.api_key_id, r.reservation_id FROM reservations r
      WHERE NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.account_id = r.account_id AND k.api_key_id = r.api_key_id)
      ORDER BY r.account_id, r.reservation_id
      LIMIT 1000`);
    const lines: BooksFindings['lines'] = await manager.query(`
      SELECT l.account_id, l.transaction_id FROM (
          SELECT account_id, transaction_id, sum(charged) AS charged, sum(from_allowance) AS allowance,
                 sum(from_credit) AS credit, sum(to_overage) AS overage,
                 bool_or(charged <> cost + markup - discount OR from_allowance + from_credit + to_overage <> charged
                         OR markup < 0 OR discount < 0 OR charged < 0) AS bad_line
          FROM usage_lines GROUP BY account_id, transaction_id) AS l
        LEFT JOIN (
          SELECT account_id, transaction_id,
                 coalesce(sum(amount) FILTER (WHERE ledger_code = 'revenue'), 0) AS revenue,
                 coalesce(sum(amount) FILTER (WHERE ledger_code = 'allowance'), 0) AS allowance,
                 coalesce(sum(amount) FILTER (WHERE ledger_code = 'credit'), 0) AS credit,
                 coalesce(sum(amount) FILTER (WHERE ledger_code = 'overage'), 0) AS overage
          FROM postings GROUP BY account_id, transaction_id) AS p
        ON p.account_id = l.account_id AND p.transaction_id = l.transaction_id
      -- A slice charged nothing (free models, a full discount) has no postings: zero amounts are
      -- never written, so missing sums are zeros; its lines still need their transaction.
      WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.account_id = l.account_id AND t.transaction_id = l.transaction_id)
         OR l.bad_line OR l.charged <> coalesce(p.revenue, 0) OR l.allowance <> -coalesce(p.allowance, 0)
         OR l.credit <> -coalesce(p.credit, 0) OR l.overage <> -coalesce(p.overage, 0)
      ORDER BY l.account_id, l.transaction_id
      LIMIT 1000`);
    // The month counters the plans read (volume tiers, the cap) must be the lines posted in the month.
    const months: BooksFindings['months'] = await manager.query(`
      SELECT coalesce(c.account_id, l.account_id) AS account_id, coalesce(c.month, l.month)::text AS month,
             coalesce(c.tokens, 0)::text AS counted_tokens, coalesce(l.tokens, 0)::text AS posted_tokens,
             coalesce(c.charged, 0)::text AS counted_charged, coalesce(l.charged, 0)::text AS posted_charged
      FROM monthly_usage AS c
      FULL JOIN (
          SELECT u.account_id, date_trunc('month', t.posted_at AT TIME ZONE 'UTC')::date AS month,
                 sum(u.tokens) AS tokens, sum(u.charged) AS charged
          FROM usage_lines AS u
          JOIN transactions AS t ON t.account_id = u.account_id AND t.transaction_id = u.transaction_id
          GROUP BY 1, 2) AS l
        ON l.account_id = c.account_id AND l.month = c.month
      WHERE coalesce(c.tokens, 0) <> coalesce(l.tokens, 0) OR coalesce(c.charged, 0) <> coalesce(l.charged, 0)
      ORDER BY 1, 2
      LIMIT 1000`);
    return { total, balances, unbalanced, orphans, heldTotals, orphanHolds, lines, months };
  }
}
