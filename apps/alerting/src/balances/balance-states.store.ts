import { Injectable } from '@nestjs/common';
import { UNKNOWN_STANDING } from '@tally/budget-domain';
import type { AccountStanding, AlertLevel } from '@tally/budget-domain';
import type { EntityManager } from 'typeorm';

/** The last balance-changed record applied for an account (or one of its keys). */
export interface BalanceState {
  readonly accountId: string;
  readonly apiKeyId: string | null;
  readonly sequence: number;
  readonly periodStart: string | null;
  readonly level: AlertLevel;
  readonly percent: number;
  readonly at: string;
}

export function subjectKey(accountId: string, apiKeyId: string | null): string {
  return `${accountId}\u0000${apiKeyId ?? ''}`;
}

/** Balance states in SQL, a slice of accounts at a time. */
@Injectable()
export class BalanceStatesStore {
  async read(
    manager: EntityManager,
    accountIds: readonly string[],
  ): Promise<Map<string, BalanceState>> {
    const rows = (await manager.query(
      `SELECT account_id, api_key_id, sequence::text AS sequence, period_start, level, percent::float8 AS percent, at
       FROM balance_states WHERE account_id = ANY($1::text[])`,
      [accountIds],
    )) as Array<{
      account_id: string;
      api_key_id: string;
      sequence: string;
      period_start: Date | null;
      level: AlertLevel;
      percent: number;
      at: Date;
    }>;
    return new Map(
      rows.map((row) => {
        const apiKeyId = row.api_key_id === '' ? null : row.api_key_id;
        return [
          subjectKey(row.account_id, apiKeyId),
          {
            accountId: row.account_id,
            apiKeyId,
            sequence: Number(row.sequence),
            periodStart: row.period_start?.toISOString() ?? null,
            level: row.level,
            percent: row.percent,
            at: row.at.toISOString(),
          },
        ];
      }),
    );
  }

  async save(manager: EntityManager, states: readonly BalanceState[]): Promise<void> {
    if (states.length === 0) return;
    await manager.query(
      `INSERT INTO balance_states (account_id, api_key_id, sequence, period_start, level, percent, at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::text[], $6::numeric[], $7::timestamptz[])
       ON CONFLICT (account_id, api_key_id) DO UPDATE SET
         sequence = EXCLUDED.sequence, period_start = EXCLUDED.period_start, level = EXCLUDED.level,
         percent = EXCLUDED.percent, at = EXCLUDED.at`,
      [
        states.map((state) => state.accountId),
        states.map((state) => state.apiKeyId ?? ''),
        states.map((state) => state.sequence),
        states.map((state) => state.periodStart),
        states.map((state) => state.level),
        states.map((state) => state.percent),
        states.map((state) => state.at),
      ],
    );
  }

  /** Where each account stands by its last balance (GREEN at 0 % before the first one). */
  async standings(
    manager: EntityManager,
    accountIds: readonly string[],
  ): Promise<Map<string, AccountStanding>> {
    const states = await this.read(manager, accountIds);
    return new Map(
      accountIds.map((accountId) => {
        const state = states.get(subjectKey(accountId, null));
        return [
          accountId,
          state ? { level: state.level, percent: state.percent } : UNKNOWN_STANDING,
        ];
      }),
    );
  }
}
