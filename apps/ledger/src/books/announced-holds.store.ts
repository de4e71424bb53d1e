import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { EntityManager } from 'typeorm';
import { heldAtSql } from '../holds/holds.store';

const ZERO = new Decimal(0);

/** What a subject of announced_holds holds now: the account's total, or the key's. */
const HELD_NOW = `(CASE WHEN a.api_key_id = '' THEN h.held ELSE h.key_held END)::numeric`;

/**
 * What each account's last ledger.balance-changed, and each key budget's, subtracted as held
 * (ADR 0102), kept only while that is not 0: the hold round compares these rows, and the
 * accounts whose keys hold something, with what is held now.
 */
@Injectable()
export class AnnouncedHoldsStore {
  /**
   * What these accounts and keys hold at `now`, kept as what their announcements subtract. Run
   * by the announcing transaction under the balances' locks, as its last read of holds, so each
   * row says exactly what was published.
   */
  async heldToAnnounce(
    manager: EntityManager,
    subjects: {
      readonly accountIds: readonly string[];
      readonly keys: ReadonlyArray<{ readonly accountId: string; readonly apiKeyId: string }>;
    },
    now: Date,
  ): Promise<{ accounts: Map<string, Decimal>; keys: Decimal[] }> {
    const { accountIds, keys } = subjects;
    const rows: Array<{ held: string }> = await manager.query(
      `WITH subjects AS (
         SELECT a.account_id, a.api_key_id, a.n, ${HELD_NOW} AS held
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS a(account_id, api_key_id, n),
           LATERAL ${heldAtSql({ account: 'a.account_id', apiKey: 'a.api_key_id', now: '$3' })} AS h),
       kept AS (
         INSERT INTO announced_holds AS a (account_id, api_key_id, held)
         SELECT account_id, api_key_id, held FROM subjects WHERE held <> 0
         ON CONFLICT (account_id, api_key_id) DO UPDATE SET held = EXCLUDED.held
         WHERE a.held IS DISTINCT FROM EXCLUDED.held),
       cleared AS (
         DELETE FROM announced_holds AS a USING subjects AS s
         WHERE s.held = 0 AND a.account_id = s.account_id AND a.api_key_id = s.api_key_id)
       SELECT held::text FROM subjects ORDER BY n`,
      [
        [...accountIds, ...keys.map((key) => key.accountId)],
        // An account's own announcement is the subject of key ''.
        [...accountIds.map(() => ''), ...keys.map((key) => key.apiKeyId)],
        now,
      ],
    );
    const held = rows.map((row) => new Decimal(row.held));
    return {
      accounts: new Map(accountIds.map((accountId, index) => [accountId, held[index] ?? ZERO])),
      keys: held.slice(accountIds.length),
    };
  }

  /**
   * Up to `limit` accounts after `after`, in account order, whose holds at `now` differ from
   * what their last announcement (or one of their key budgets') subtracted. A plain read.
   */
  stale(manager: EntityManager, now: Date, after: string, limit: number): Promise<string[]> {
    return this.staleWhere(manager, 'account_id > $2', [now, after, limit]);
  }

  /** Those of these accounts whose holds at `now` differ from what their last announcement subtracted. */
  staleAmong(manager: EntityManager, accountIds: readonly string[], now: Date): Promise<string[]> {
    return this.staleWhere(manager, 'account_id = ANY($2::text[])', [now, accountIds, null]);
  }

  /**
   * Of the accounts `accounts` selects, those whose live holds differ from what their last
   * announcement subtracted (0 without a row; NULL, not known, always differs) or whose key
   * budgets' do. Only an account with a row, or whose keys hold something, can differ.
   */
  private async staleWhere(
    manager: EntityManager,
    accounts: string,
    params: readonly unknown[],
  ): Promise<string[]> {
    const rows: Array<{ account_id: string }> = await manager.query(
      `SELECT c.account_id
       FROM (SELECT account_id FROM announced_holds WHERE ${accounts}
             UNION SELECT account_id FROM api_keys WHERE held > 0 AND ${accounts}) AS c
         LEFT JOIN announced_holds AS own ON own.account_id = c.account_id AND own.api_key_id = '',
         LATERAL ${heldAtSql({ account: 'c.account_id', apiKey: "''", now: '$1' })} AS h
       WHERE (CASE WHEN own.account_id IS NULL THEN 0 ELSE own.held END) IS DISTINCT FROM h.held::numeric
         OR EXISTS (
           SELECT 1 FROM announced_holds AS a,
             LATERAL ${heldAtSql({ account: 'a.account_id', apiKey: 'a.api_key_id', now: '$1' })} AS h
           WHERE a.account_id = c.account_id AND a.api_key_id <> '' AND a.held IS DISTINCT FROM ${HELD_NOW})
       ORDER BY c.account_id
       LIMIT $3`,
      params,
    );
    return rows.map((row) => row.account_id);
  }
}
