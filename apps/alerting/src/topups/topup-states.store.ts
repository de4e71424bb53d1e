import { Injectable } from '@nestjs/common';
import type { TopUpStatusChanged } from '@tally/budget-domain';
import type { EntityManager } from 'typeorm';

/** The last topup.status-changed applied per account, in SQL. */
@Injectable()
export class TopUpStatesStore {
  /** The last applied sequence of each account. */
  async sequences(
    manager: EntityManager,
    accountIds: readonly string[],
  ): Promise<Map<string, number>> {
    const rows = (await manager.query(
      `SELECT account_id, sequence::text AS sequence FROM topup_states WHERE account_id = ANY($1::text[])`,
      [accountIds],
    )) as Array<{ account_id: string; sequence: string }>;
    return new Map(rows.map((row) => [row.account_id, Number(row.sequence)]));
  }

  async save(manager: EntityManager, statuses: readonly TopUpStatusChanged[]): Promise<void> {
    if (statuses.length === 0) return;
    await manager.query(
      `INSERT INTO topup_states (account_id, sequence, enabled, state, at)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::boolean[], $4::text[], $5::timestamptz[])
       ON CONFLICT (account_id) DO UPDATE SET
         sequence = EXCLUDED.sequence, enabled = EXCLUDED.enabled, state = EXCLUDED.state, at = EXCLUDED.at`,
      [
        statuses.map((status) => status.account_id),
        statuses.map((status) => status.sequence),
        statuses.map((status) => status.auto_topup.enabled),
        statuses.map((status) => status.auto_topup.state),
        statuses.map((status) => status.at),
      ],
    );
  }
}
