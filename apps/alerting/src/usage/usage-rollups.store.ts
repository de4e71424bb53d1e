import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { HourlySpend } from '@tally/budget-domain';
import type { EntityManager } from 'typeorm';

/** One account's spend in one hour, from a slice of ledger.transactions (what the ledger charged). */
export interface RollupIncrement {
  readonly accountId: string;
  readonly hour: Date;
  readonly cost: Decimal;
  readonly events: number;
}

/** Hourly usage rollups per account in SQL. */
@Injectable()
export class UsageRollupsStore {
  /** Adds a slice's increments; returns each touched hour's new total. */
  async add(
    manager: EntityManager,
    increments: readonly RollupIncrement[],
  ): Promise<Array<{ accountId: string; hour: Date; cost: Decimal }>> {
    if (increments.length === 0) return [];
    const rows = (await manager.query(
      `INSERT INTO usage_rollups (account_id, hour, cost, events)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::numeric[], $4::int[])
       ON CONFLICT (account_id, hour) DO UPDATE SET
         cost = usage_rollups.cost + EXCLUDED.cost, events = usage_rollups.events + EXCLUDED.events
       RETURNING account_id, hour, cost::text AS cost`,
      [
        increments.map((increment) => increment.accountId),
        increments.map((increment) => increment.hour),
        increments.map((increment) => increment.cost.toFixed()),
        increments.map((increment) => increment.events),
      ],
    )) as Array<{ account_id: string; hour: Date; cost: string }>;
    return rows.map((row) => ({
      accountId: row.account_id,
      hour: row.hour,
      cost: new Decimal(row.cost),
    }));
  }

  /**
   * The accounts' rollups from `since` on, and the earliest hour each has (its history
   * starts there).
   */
  async recent(
    manager: EntityManager,
    accountIds: readonly string[],
    since: Date,
  ): Promise<Map<string, { rollups: HourlySpend[]; firstHour: Date }>> {
    const rows = (await manager.query(
      `SELECT r.account_id, r.hour, r.cost::text AS cost, f.first_hour
       FROM usage_rollups r
       JOIN (SELECT account_id, min(hour) AS first_hour FROM usage_rollups
             WHERE account_id = ANY($1::text[]) GROUP BY account_id) f ON f.account_id = r.account_id
       WHERE r.account_id = ANY($1::text[]) AND r.hour >= $2
       ORDER BY r.account_id, r.hour`,
      [accountIds, since],
    )) as Array<{ account_id: string; hour: Date; cost: string; first_hour: Date }>;
    const byAccount = new Map<string, { rollups: HourlySpend[]; firstHour: Date }>();
    for (const row of rows) {
      const entry = byAccount.get(row.account_id) ?? { rollups: [], firstHour: row.first_hour };
      entry.rollups.push({ hour: row.hour, cost: new Decimal(row.cost) });
      byAccount.set(row.account_id, entry);
    }
    return byAccount;
  }

  async prune(manager: EntityManager, before: Date): Promise<void> {
    await manager.query(`DELETE FROM usage_rollups WHERE hour < $1`, [before]);
  }
}
