import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import { preparedQuery, returningRows } from '@tally/persistence';
import type { PreparedStatement } from '@tally/persistence';
import type { EntityManager } from 'typeorm';

/**
 * What an account's keys hold at `now`, as text: each key's `held` total (every reservation in
 * status held) less the holds that have expired but are not swept yet. The parameters name
 * the account, the key and the instant. Reads O(keys + unswept expired holds), never every
 * live hold (ADR 0010).
 */
export function heldAtSql(params: { account: string; apiKey: string; now: string }): string {
  const { account, apiKey, now } = params;
  return `(SELECT (k.held - x.held)::text AS held, (k.key_held - x.key_held)::text AS key_held
    FROM (SELECT coalesce(sum(held), 0) AS held, coalesce(sum(held) FILTER (WHERE api_key_id = ${apiKey}), 0) AS key_held
          FROM api_keys WHERE account_id = ${account}) AS k,
         (SELECT coalesce(sum(amount), 0) AS held, coalesce(sum(amount) FILTER (WHERE api_key_id = ${apiKey}), 0) AS key_held
          FROM reservations WHERE account_id = ${account} AND status = 'held' AND expires_at <= ${now}) AS x)`;
}

/**
 * The statement that takes reservations out of status held (`freeing`: an UPDATE of
 * reservations RETURNING account_id, api_key_id, reservation_id, amount, which may read the
 * `before` common table expressions) and moves their keys' totals by the same amounts. Its
 * rows are the freed reservation ids.
 */
function freeingSql(freeing: string, before = ''): string {
  return `WITH ${before ? `${before},` : ''} freed AS (${freeing}),
    moved AS (
      UPDATE api_keys AS k SET held = k.held - f.amount
      FROM (SELECT account_id, api_key_id, sum(amount) AS amount FROM freed GROUP BY account_id, api_key_id) AS f
      WHERE k.account_id = f.account_id AND k.api_key_id = f.api_key_id
      RETURNING 1)
    SELECT reservation_id FROM freed`;
}

/**
 * The key rows of the given (account, key) pairs, locked in key order. Every statement that
 * moves keys' totals first locks them this way, before it touches their reservations, so two
 * such transactions can never wait for each other in a cycle.
 */
const LOCK_KEYS = `SELECT 1 FROM api_keys AS k
  WHERE (k.account_id, k.api_key_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
  ORDER BY k.account_id, k.api_key_id
  FOR UPDATE`;

const RELEASE: PreparedStatement = {
  name: 'hold_release',
  text: freeingSql(
    `UPDATE reservations AS r SET status = 'released'
     FROM locked
     WHERE r.account_id = locked.account_id AND r.api_key_id = locked.api_key_id AND r.reservation_id = $3
       AND r.status = 'held' AND r.expires_at > $4
     RETURNING r.account_id, r.api_key_id, r.reservation_id, r.amount`,
    // The key is locked before its reservation, as everywhere (LOCK_KEYS); a revoked key
    // releases nothing (ADR 0053).
    'locked AS (SELECT account_id, api_key_id FROM api_keys WHERE account_id = $1 AND api_key_id = $2 AND revoked_at IS NULL FOR UPDATE)',
  ),
};

export interface Settlement {
  readonly accountId: string;
  readonly reservationId: string;
  /** The key the usage is charged to, as its event names it (null: none). */
  readonly apiKeyId: string | null;
  readonly cost: string;
}

/**
 * Which reservations `r` the usage `s` may settle: those of its key, or any of its account's when
 * the usage names no key of the account (none, or one the ledger does not know). Usage charged
 * to another of the account's keys leaves the hold to its own key (ADR 0126).
 */
const SETTLES = `r.account_id = s.account_id AND r.reservation_id = s.reservation_id
  AND (s.api_key_id IS NULL OR s.api_key_id = r.api_key_id
    OR NOT EXISTS (SELECT 1 FROM api_keys AS other WHERE other.account_id = s.account_id AND other.api_key_id = s.api_key_id))`;

/**
 * The reservations' SQL outside the authorization itself (which inserts holds, ADR 0006): what
 * accounts hold, and the three ways a hold ends: released by its key, settled by the usage
 * that names it, expired by the sweep. A hold is live while its status is held and its expiry
 * is in the future; only a live hold is released or settled, only an expired one swept.
 */
@Injectable()
export class HoldsStore {
  /** Funds held by live reservations, per account. */
  async heldAmounts(
    manager: EntityManager,
    accountIds: string[],
    now: Date,
  ): Promise<Map<string, Decimal>> {
    const rows: Array<{ account_id: string; held: string }> = await manager.query(
      `SELECT a.account_id, h.held
       FROM unnest($1::text[]) AS a(account_id), LATERAL ${heldAtSql({ account: 'a.account_id', apiKey: 'NULL', now: '$2' })} AS h`,
      [accountIds, now],
    );
    return new Map(rows.map((row) => [row.account_id, new Decimal(row.held)]));
  }

  /** Funds held by live reservations of one key, or undefined when the account has no such key. */
  async keyHeldAmount(
    manager: EntityManager,
    accountId: string,
    apiKeyId: string,
    now: Date,
  ): Promise<Decimal | undefined> {
    const [row]: Array<{ key_held: string }> = await manager.query(
      `SELECT h.key_held
       FROM api_keys AS named, ${heldAtSql({ account: '$1', apiKey: '$2', now: '$3' })} AS h
       WHERE named.account_id = $1 AND named.api_key_id = $2`,
      [accountId, apiKeyId, now],
    );
    return row ? new Decimal(row.key_held) : undefined;
  }

  /** Releases a live hold of this key; false when there is none (unknown, another key's, ended or expired) or the key was revoked. */
  async release(
    manager: EntityManager,
    accountId: string,
    apiKeyId: string,
    reservationId: string,
    now: Date,
  ): Promise<boolean> {
    return (
      (await preparedQuery(manager, RELEASE, [accountId, apiKeyId, reservationId, now])).length > 0
    );
  }

  /**
   * Marks the live holds that usage events name as settled, with the actual cost. Runs in the
   * posting's transaction; a hold that expired before its usage was posted stays for the sweep,
   * and one of another key than the usage's stays held (SETTLES).
   */
  async settle(
    manager: EntityManager,
    settlements: readonly Settlement[],
    now: Date,
  ): Promise<void> {
    if (settlements.length === 0) return;
    const named = [
      settlements.map((s) => s.accountId),
      settlements.map((s) => s.reservationId),
      settlements.map((s) => s.apiKeyId),
    ];
    const keys: Array<{ account_id: string; api_key_id: string }> = await manager.query(
      `SELECT DISTINCT r.account_id, r.api_key_id FROM reservations AS r
       JOIN unnest($1::text[], $2::text[], $3::text[]) AS s(account_id, reservation_id, api_key_id) ON ${SETTLES}`,
      named,
    );
    await this.lockKeys(manager, keys);
    await manager.query(
      freeingSql(`
        UPDATE reservations AS r SET status = 'settled', settled_cost = s.cost
        FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[]) AS s(account_id, reservation_id, api_key_id, cost)
        WHERE ${SETTLES} AND r.status = 'held' AND r.expires_at > $5
        RETURNING r.account_id, r.api_key_id, r.reservation_id, r.amount`),
      [...named, settlements.map((s) => s.cost), now],
    );
  }

  /**
   * Marks the `limit` oldest holds expired at `now` as expired, in one transaction of the
   * caller's; returns how many. Their funds stopped counting at their expiry already: this only
   * keeps the readers' work small.
   */
  async expire(manager: EntityManager, now: Date, limit: number): Promise<number> {
    const due: Array<{ account_id: string; api_key_id: string; reservation_id: string }> =
      await manager.query(
        `SELECT account_id, api_key_id, reservation_id FROM reservations WHERE status = 'held' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
        [now, limit],
      );
    if (due.length === 0) return 0;
    await this.lockKeys(manager, due);
    const expired: unknown[] = await manager.query(
      freeingSql(`
        UPDATE reservations AS r SET status = 'expired'
        FROM unnest($1::text[], $2::text[]) AS d(account_id, reservation_id)
        WHERE r.account_id = d.account_id AND r.reservation_id = d.reservation_id AND r.status = 'held' AND r.expires_at <= $3
        RETURNING r.account_id, r.api_key_id, r.reservation_id, r.amount`),
      [due.map((d) => d.account_id), due.map((d) => d.reservation_id), now],
    );
    return expired.length;
  }

  /**
   * Deletes up to `limit` ended holds (settled, released, expired) that expired before `before`,
   * in the caller's transaction; returns how many. They hold nothing and no key's total counts
   * them; a hold still in status held is the sweep's, never deleted here.
   */
  async forgetEnded(manager: EntityManager, before: Date, limit: number): Promise<number> {
    const deleted = await returningRows(
      manager,
      // By the rows' own addresses, from the index of ended holds by expiry: a join on the key
      // was planned as a hash of the whole table, whatever the batch found.
      `DELETE FROM reservations
       WHERE ctid = ANY (ARRAY(SELECT ctid FROM reservations
                               WHERE status <> 'held' AND expires_at < $1 LIMIT $2))
         AND status <> 'held'
       RETURNING 1`,
      [before, limit],
    );
    return deleted.length;
  }

  private async lockKeys(
    manager: EntityManager,
    keys: ReadonlyArray<{ account_id: string; api_key_id: string }>,
  ): Promise<void> {
    if (keys.length === 0) return;
    await manager.query(LOCK_KEYS, [keys.map((k) => k.account_id), keys.map((k) => k.api_key_id)]);
  }
}
