import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AutoTopUpPauseReason, BalanceChanged } from '@tally/budget-domain';

/** An account as admin knows it, with its latest balance and auto top-up state when it has them. */
export interface AccountRow {
  account_id: string;
  name: string | null;
  currency: string;
  tier: string | null;
  status: string;
  created_at: Date;
  sequence: string | null;
  period_start: Date | null;
  period_end: Date | null;
  allowance: string | null;
  used: string | null;
  remaining: string | null;
  extra_credit_remaining: string | null;
  available: string | null;
  available_percent: number | null;
  alert_level: string | null;
  over_soft_limit: boolean | null;
  over_hard_limit: boolean | null;
  overage: string | null;
  balance_at: Date | null;
  auto_topup_enabled: boolean | null;
  auto_topup_state: string | null;
  auto_topup_pending_since: Date | null;
  auto_topup_cooldown_until: Date | null;
  auto_topup_month_auto_paid: string | null;
  auto_topup_monthly_limit: string | null;
  auto_topup_paid_currency: string | null;
  auto_topup_pause_reason: AutoTopUpPauseReason | null;
  auto_topup_at: Date | null;
}

/** A stored balance, as a newer record replaces it. */
export interface StoredBalance {
  account_id: string;
  api_key_id: string;
  sequence: string;
  alert_level: string;
  extra_credit_remaining: string;
}

// available_percent is a bigint, which pg answers as text; float8 holds every safe integer exactly.
const ACCOUNT_SELECT = `
  SELECT a.account_id, a.name, a.currency, a.tier, a.status, a.created_at,
         b.sequence, b.period_start, b.period_end, b.allowance, b.used, b.remaining,
         b.extra_credit_remaining, b.available, b.available_percent::float8 AS available_percent,
         b.alert_level, b.over_soft_limit, b.over_hard_limit, b.overage, b.at AS balance_at,
         t.enabled AS auto_topup_enabled, t.state AS auto_topup_state,
         t.pending_since AS auto_topup_pending_since, t.cooldown_until AS auto_topup_cooldown_until,
         t.month_auto_paid AS auto_topup_month_auto_paid, t.monthly_limit AS auto_topup_monthly_limit,
         t.paid_currency AS auto_topup_paid_currency, t.pause_reason AS auto_topup_pause_reason,
         t.at AS auto_topup_at
  FROM accounts a
  LEFT JOIN balances b ON b.account_id = a.account_id AND b.api_key_id = ''
  LEFT JOIN topup_status t ON t.account_id = a.account_id`;

/** Accounts and their latest balances, in admin's schema. */
@Injectable()
export class AccountsStore {
  /**
   * Makes sure admin knows the accounts (an event may name one it has not seen: usage opens
   * accounts in the ledger). Returns how many were new.
   */
  async touch(manager: EntityManager, accountIds: readonly string[]): Promise<number> {
    const ids = [...new Set(accountIds)].sort();
    if (ids.length === 0) return 0;
    const inserted: unknown[] = await manager.query(
      `INSERT INTO accounts (account_id)
       SELECT id FROM unnest($1::text[]) AS id ORDER BY id
       ON CONFLICT DO NOTHING
       RETURNING account_id`,
      [ids],
    );
    return inserted.length;
  }

  /** The account as the ledger answered its creation; true when admin did not know it yet. */
  async save(
    manager: EntityManager,
    account: {
      account_id: string;
      name: string;
      currency: string;
      tier: string | null;
      status: string;
    },
  ): Promise<boolean> {
    const [row]: Array<{ inserted: boolean }> = await manager.query(
      `INSERT INTO accounts (account_id, name, currency, tier, status)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (account_id) DO UPDATE
         SET name = EXCLUDED.name, currency = EXCLUDED.currency, tier = EXCLUDED.tier,
             status = EXCLUDED.status
       RETURNING (xmax = 0) AS inserted`,
      [account.account_id, account.name, account.currency, account.tier, account.status],
    );
    return row?.inserted ?? false;
  }

  /** The account's tier as the ledger names it once a plan is assigned (ADR 0044). */
  async setTier(manager: EntityManager, accountId: string, tier: string): Promise<void> {
    await manager.query('UPDATE accounts SET tier = $2 WHERE account_id = $1', [accountId, tier]);
  }

  async find(manager: EntityManager, accountId: string): Promise<AccountRow | undefined> {
    const [row]: AccountRow[] = await manager.query(`${ACCOUNT_SELECT} WHERE a.account_id = $1`, [
      accountId,
    ]);
    return row;
  }

  async exists(manager: EntityManager, accountId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query('SELECT 1 FROM accounts WHERE account_id = $1', [
      accountId,
    ]);
    return rows.length > 0;
  }

  /** A page of accounts by id, after `after`; one row more than `limit` says there is a next page. */
  async list(
    manager: EntityManager,
    page: { after?: string | undefined; limit: number; alertLevel?: string | undefined },
  ): Promise<AccountRow[]> {
    return manager.query(
      `${ACCOUNT_SELECT}
       WHERE ($1::text IS NULL OR a.account_id > $1)
         AND ($2::text IS NULL OR b.alert_level = $2)
       ORDER BY a.account_id
       LIMIT $3`,
      [page.after ?? null, page.alertLevel ?? null, page.limit + 1],
    );
  }

  /** The stored balances of these (account, key) pairs, locked until the transaction ends. */
  async lockBalances(
    manager: EntityManager,
    keys: ReadonlyArray<{ accountId: string; apiKeyId: string }>,
  ): Promise<StoredBalance[]> {
    if (keys.length === 0) return [];
    return manager.query(
      `SELECT b.account_id, b.api_key_id, b.sequence, b.alert_level, b.extra_credit_remaining
       FROM balances b
       JOIN unnest($1::text[], $2::text[]) AS k(account_id, api_key_id)
         ON b.account_id = k.account_id AND b.api_key_id = k.api_key_id
       ORDER BY b.account_id, b.api_key_id
       FOR UPDATE OF b`,
      [keys.map((key) => key.accountId), keys.map((key) => key.apiKeyId)],
    );
  }

  /** Stores balance states; a stored state with a sequence at or above a record's stays. */
  async saveBalances(manager: EntityManager, records: readonly BalanceChanged[]): Promise<void> {
    if (records.length === 0) return;
    const column = <T>(pick: (record: BalanceChanged) => T) => records.map(pick);
    await manager.query(
      `INSERT INTO balances (account_id, api_key_id, sequence, period_start, period_end, allowance,
         used, remaining, extra_credit_remaining, available, available_percent, alert_level,
         over_soft_limit, over_hard_limit, overage, at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[],
         $5::timestamptz[], $6::numeric[], $7::numeric[], $8::numeric[], $9::numeric[],
         $10::numeric[], $11::bigint[], $12::text[], $13::boolean[], $14::boolean[],
         $15::numeric[], $16::timestamptz[])
       ON CONFLICT (account_id, api_key_id) DO UPDATE SET
         sequence = EXCLUDED.sequence, period_start = EXCLUDED.period_start,
         period_end = EXCLUDED.period_end, allowance = EXCLUDED.allowance, used = EXCLUDED.used,
         remaining = EXCLUDED.remaining, extra_credit_remaining = EXCLUDED.extra_credit_remaining,
         available = EXCLUDED.available, available_percent = EXCLUDED.available_percent,
         alert_level = EXCLUDED.alert_level, over_soft_limit = EXCLUDED.over_soft_limit,
         over_hard_limit = EXCLUDED.over_hard_limit, overage = EXCLUDED.overage, at = EXCLUDED.at
       WHERE balances.sequence < EXCLUDED.sequence`,
      [
        column((r) => r.account_id),
        column((r) => r.api_key_id ?? ''),
        column((r) => r.sequence),
        column((r) => r.period.start),
        column((r) => r.period.end),
        column((r) => r.allowance),
        column((r) => r.used),
        column((r) => r.remaining),
        column((r) => r.extra_credit_remaining),
        column((r) => r.available),
        column((r) => r.available_percent),
        column((r) => r.alert_level),
        column((r) => r.over_soft_limit),
        column((r) => r.over_hard_limit),
        column((r) => r.overage),
        column((r) => r.at),
      ],
    );
  }
}
