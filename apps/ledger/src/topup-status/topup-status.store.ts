import { Injectable } from '@nestjs/common';
import type { AutoTopUpState, TopUpStatusChanged } from '@tally/budget-domain';
import type { EntityManager } from 'typeorm';

export interface StoredTopUpStatus {
  readonly sequence: number;
  readonly enabled: boolean;
  readonly state: AutoTopUpState;
  /** When top-up announced it (its record's `at`). */
  readonly announcedAt: Date;
}

/** Every SQL statement of the top-up status feature. */
@Injectable()
export class TopUpStatusStore {
  /** Keeps each account's record with the highest sequence; older ones change nothing. */
  async keepLatest(manager: EntityManager, statuses: readonly TopUpStatusChanged[]): Promise<void> {
    const latest = new Map<string, TopUpStatusChanged>();
    for (const status of statuses) {
      const seen = latest.get(status.account_id);
      if (!seen || status.sequence > seen.sequence) latest.set(status.account_id, status);
    }
    if (latest.size === 0) return;
    const rows = [...latest.values()];
    await manager.query(
      `INSERT INTO topup_status (account_id, sequence, enabled, state, pending_since, auto_topup, announced_at)
       SELECT account_id, sequence, enabled, state, pending_since, auto_topup::jsonb, announced_at
       FROM unnest($1::text[], $2::bigint[], $3::boolean[], $4::text[], $5::timestamptz[], $6::text[], $7::timestamptz[])
         AS r(account_id, sequence, enabled, state, pending_since, auto_topup, announced_at)
       ON CONFLICT (account_id) DO UPDATE SET sequence = EXCLUDED.sequence, enabled = EXCLUDED.enabled,
         state = EXCLUDED.state, pending_since = EXCLUDED.pending_since,
         auto_topup = EXCLUDED.auto_topup, announced_at = EXCLUDED.announced_at, updated_at = now()
       WHERE topup_status.sequence < EXCLUDED.sequence`,
      [
        rows.map((row) => row.account_id),
        rows.map((row) => row.sequence),
        rows.map((row) => row.auto_topup.enabled),
        rows.map((row) => row.auto_topup.state),
        rows.map((row) => row.auto_topup.pending_since ?? null),
        rows.map((row) => JSON.stringify(row.auto_topup)),
        rows.map((row) => row.at),
      ],
    );
  }

  async read(manager: EntityManager, accountId: string): Promise<StoredTopUpStatus | undefined> {
    const [row] = (await manager.query(
      'SELECT sequence::text AS sequence, enabled, state, announced_at FROM topup_status WHERE account_id = $1',
      [accountId],
    )) as Array<{
      sequence: string;
      enabled: boolean;
      state: AutoTopUpState;
      announced_at: Date | string;
    }>;
    return (
      row && {
        sequence: Number(row.sequence),
        enabled: row.enabled,
        state: row.state,
        announcedAt: new Date(row.announced_at),
      }
    );
  }

  /** How many automatic top-ups the ledger has credited to the account so far. */
  async autoCreditsPosted(manager: EntityManager, accountId: string): Promise<number> {
    const [row] = (await manager.query(
      `SELECT count(*)::int AS posted FROM transactions
       WHERE account_id = $1 AND kind = 'purchase' AND details->>'trigger' = 'auto'`,
      [accountId],
    )) as Array<{ posted: number }>;
    return row?.posted ?? 0;
  }
}
