import { Injectable } from '@nestjs/common';
import { Decimal } from 'decimal.js';
import type { EntityManager } from 'typeorm';

/** Usage to add to the daily rollups: the ledger's usage lines, each once (ADR 0161). */
export interface UsageIncrement {
  readonly accountId: string;
  /** The UTC day the usage occurred on, YYYY-MM-DD. */
  readonly day: string;
  readonly service: string;
  readonly provider: string;
  readonly model: string;
  /** '' for usage without a key. */
  readonly apiKeyId: string;
  readonly cost: Decimal;
  readonly tokens: number;
  readonly requests: number;
}

export const USAGE_GROUPS = ['day', 'model', 'provider', 'api_key', 'service'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

/** The SQL of each group key: a fixed list, never the caller's text. */
const GROUP_SQL: Readonly<Record<UsageGroup, string>> = {
  day: "to_char(day, 'YYYY-MM-DD')",
  model: 'model',
  provider: 'provider',
  api_key: "nullif(api_key_id, '')",
  service: 'service',
};

export interface UsageRow {
  [group: string]: string | null;
  cost: string;
  tokens: string;
  requests: string;
}

export interface SpendRow {
  account_id: string;
  name: string | null;
  spend: string;
}

export interface SystemUsageRow {
  day: string;
  service: string;
  provider: string;
  model: string;
  cost: string;
  tokens: string;
  requests: string;
}

interface Sum {
  cost: Decimal;
  tokens: number;
  requests: number;
}

/**
 * Daily usage rollups (ADR 0034): per account, day, service, provider, model and key; per
 * account and day; and per day for the whole system. A slice adds to each once, rows in key
 * order, so concurrent slices lock shared rows in the same order.
 */
@Injectable()
export class UsageRollupsStore {
  async add(manager: EntityManager, increments: readonly UsageIncrement[]): Promise<void> {
    if (increments.length === 0) return;
    const detailed = sumBy(increments, (i) => [
      i.accountId,
      i.day,
      i.service,
      i.provider,
      i.model,
      i.apiKeyId,
    ]);
    await this.upsert(
      manager,
      'usage_daily',
      ['account_id', 'day', 'service', 'provider', 'model', 'api_key_id'],
      detailed,
    );
    await this.upsert(
      manager,
      'account_daily',
      ['account_id', 'day'],
      sumBy(increments, (i) => [i.accountId, i.day]),
    );
    await this.upsert(
      manager,
      'system_daily',
      ['day', 'service', 'provider', 'model'],
      sumBy(increments, (i) => [i.day, i.service, i.provider, i.model]),
    );
  }

  /** An account's usage in [from, to) grouped by the given keys (none: one total row). */
  async usage(
    manager: EntityManager,
    accountId: string,
    groups: readonly UsageGroup[],
    range: { fromDay?: string | undefined; toDay?: string | undefined },
  ): Promise<UsageRow[]> {
    const keys = groups.map((group) => `${GROUP_SQL[group]} AS ${group}`);
    const groupBy =
      groups.length > 0 ? `GROUP BY ${groups.map((g) => GROUP_SQL[g]).join(', ')}` : '';
    const orderBy =
      groups.length > 0 ? `ORDER BY ${groups.map((g) => GROUP_SQL[g]).join(', ')}` : '';
    return manager.query(
      `SELECT ${[...keys, 'coalesce(sum(cost), 0) AS cost', 'coalesce(sum(tokens), 0) AS tokens', 'coalesce(sum(requests), 0) AS requests'].join(', ')}
       FROM usage_daily
       WHERE account_id = $1
         AND ($2::date IS NULL OR day >= $2::date)
         AND ($3::date IS NULL OR day < $3::date)
       ${groupBy} ${orderBy}`,
      [accountId, range.fromDay ?? null, range.toDay ?? null],
    );
  }

  /** The accounts that spent most from `fromDay` on, highest first (ties by account id). */
  async topSpenders(manager: EntityManager, fromDay: string, limit: number): Promise<SpendRow[]> {
    return manager.query(
      `SELECT d.account_id, a.name, sum(d.cost) AS spend
       FROM account_daily d
       LEFT JOIN accounts a ON a.account_id = d.account_id
       WHERE d.day >= $1::date
       GROUP BY d.account_id, a.name
       HAVING sum(d.cost) > 0
       ORDER BY sum(d.cost) DESC, d.account_id
       LIMIT $2`,
      [fromDay, limit],
    );
  }

  /** Each account's spend from `fromDay` on (accounts that spent nothing are not listed). */
  async spendPerAccount(manager: EntityManager, fromDay: string): Promise<string[]> {
    const rows: Array<{ spend: string }> = await manager.query(
      `SELECT sum(cost) AS spend FROM account_daily
       WHERE day >= $1::date
       GROUP BY account_id
       HAVING sum(cost) > 0`,
      [fromDay],
    );
    return rows.map((row) => row.spend);
  }

  /** The whole system's usage per day and model from `fromDay` on. */
  async system(manager: EntityManager, fromDay: string): Promise<SystemUsageRow[]> {
    return manager.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, service, provider, model, cost, tokens, requests
       FROM system_daily
       WHERE day >= $1::date
       ORDER BY day, service, provider, model`,
      [fromDay],
    );
  }

  private async upsert(
    manager: EntityManager,
    table: 'usage_daily' | 'account_daily' | 'system_daily',
    keyColumns: readonly string[],
    sums: ReadonlyArray<[string[], Sum]>,
  ): Promise<void> {
    const keyArrays = keyColumns.map((_, index) => sums.map(([key]) => key[index]));
    const casts = keyColumns.map((column, index) =>
      column === 'day' ? `$${index + 1}::date[]` : `$${index + 1}::text[]`,
    );
    const n = keyColumns.length;
    await manager.query(
      `INSERT INTO ${table} (${keyColumns.join(', ')}, cost, tokens, requests)
       SELECT * FROM unnest(${casts.join(', ')}, $${n + 1}::numeric[], $${n + 2}::bigint[], $${n + 3}::bigint[])
       ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET
         cost = ${table}.cost + EXCLUDED.cost,
         tokens = ${table}.tokens + EXCLUDED.tokens,
         requests = ${table}.requests + EXCLUDED.requests`,
      [
        ...keyArrays,
        sums.map(([, sum]) => sum.cost.toFixed()),
        sums.map(([, sum]) => sum.tokens),
        sums.map(([, sum]) => sum.requests),
      ],
    );
  }
}

/** Sums increments by key, in key order (the order rows are locked in). */
function sumBy(
  increments: readonly UsageIncrement[],
  keyOf: (increment: UsageIncrement) => string[],
): Array<[string[], Sum]> {
  const sums = new Map<string, [string[], Sum]>();
  for (const increment of increments) {
    const key = keyOf(increment);
    const id = key.join('\u0000');
    const sum = sums.get(id)?.[1];
    if (sum) {
      sum.cost = sum.cost.plus(increment.cost);
      sum.tokens += increment.tokens;
      sum.requests += increment.requests;
    } else {
      sums.set(id, [
        key,
        { cost: increment.cost, tokens: increment.tokens, requests: increment.requests },
      ]);
    }
  }
  return [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, entry]) => entry);
}
