import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { DataSource } from 'typeorm';
import { SystemTotalsStore } from '../accounts/system-totals.store';
import type { SystemTotals } from '../accounts/system-totals.store';
import { presentAmount } from '../http/present';
import { UsageRollupsStore } from '../usage/usage-rollups.store';
import type { SystemUsageRow } from '../usage/usage-rollups.store';
import type { DistributionQuery, SummaryQuery, TopSpendersQuery } from './dtos/analytics.dto';

const DAY_MS = 86_400_000;
/** Spend buckets of the distribution, in the ledger's currency. */
const BUCKET_BOUNDS = ['0', '1', '10', '100', '1000'].map((bound) => new Decimal(bound));

interface Usage {
  cost: Decimal;
  tokens: number;
  requests: number;
}

/**
 * System views from the projections only (DESIGN 9): the system counters and the daily
 * rollups, never tenant tables scanned at request time.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly totals: SystemTotalsStore,
    private readonly rollups: UsageRollupsStore,
  ) {}

  async summary(query: SummaryQuery) {
    const now = new Date();
    const from = windowStart(now, query.days);
    const manager = this.dataSource.manager;
    const [totals, rows] = await Promise.all([
      this.totals.read(manager),
      this.rollups.system(manager, from),
    ]);
    const today = now.toISOString().slice(0, 10);
    const byDay = groupUsage(rows, (row) => row.day);
    return {
      as_of: now.toISOString(),
      days: query.days,
      from,
      accounts: Number(totals.accounts),
      alert_levels: levelsOf(totals),
      extra_credit_remaining: presentAmount(totals.extra_credit_remaining),
      today: presentUsage(byDay.get(today) ?? emptyUsage()),
      window: presentUsage(sumUsage([...byDay.values()])),
      daily: [...byDay.entries()].map(([day, usage]) => ({ day, ...presentUsage(usage) })),
    };
  }

  async topSpenders(query: TopSpendersQuery) {
    const rows = await this.rollups.topSpenders(
      this.dataSource.manager,
      windowStart(new Date(), query.days),
      query.limit,
    );
    return {
      items: rows.map((row) => ({
        account_id: row.account_id,
        name: row.name,
        spend: presentAmount(row.spend),
      })),
      next_cursor: null,
    };
  }

  async distribution(query: DistributionQuery) {
    const from = windowStart(new Date(), query.days);
    const manager = this.dataSource.manager;
    const [totals, rows, spends] = await Promise.all([
      this.totals.read(manager),
      this.rollups.system(manager, from),
      this.rollups.spendPerAccount(manager, from),
    ]);
    const ranked = (key: (row: SystemUsageRow) => string, name: string) =>
      [...groupUsage(rows, key).entries()]
        .sort(([, a], [, b]) => b.cost.comparedTo(a.cost))
        .map(([value, usage]) => ({ [name]: value, ...presentUsage(usage) }));
    const buckets = BUCKET_BOUNDS.map((min, index) => ({
      min,
      max: BUCKET_BOUNDS[index + 1] ?? null,
      accounts: 0,
    }));
    for (const spend of spends.map((text) => new Decimal(text))) {
      const bucket = [...buckets].reverse().find((candidate) => spend.gte(candidate.min));
      if (bucket) bucket.accounts += 1;
    }
    const accountsWithoutSpend = Math.max(Number(totals.accounts) - spends.length, 0);
    return {
      days: query.days,
      from,
      by_service: ranked((row) => row.service, 'service'),
      by_provider: ranked((row) => row.provider, 'provider'),
      by_model: [...groupUsage(rows, (row) => `${row.provider}\u0000${row.model}`).entries()]
        .sort(([, a], [, b]) => b.cost.comparedTo(a.cost))
        .map(([key, usage]) => {
          const [provider = '', model = ''] = key.split('\u0000');
          return { provider, model, ...presentUsage(usage) };
        }),
      by_alert_level: levelsOf(totals),
      spend_buckets: [
        { min: presentAmount('0'), max: presentAmount('0'), accounts: accountsWithoutSpend },
        ...buckets.map((bucket) => ({
          min: presentAmount(bucket.min),
          max: bucket.max === null ? null : presentAmount(bucket.max),
          accounts: bucket.accounts,
        })),
      ],
    };
  }
}

/** The first UTC day of a window of `days` days that ends today. */
function windowStart(now: Date, days: number): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS).toISOString().slice(0, 10);
}

function levelsOf(totals: SystemTotals) {
  return {
    GREEN: Number(totals.level_green),
    YELLOW: Number(totals.level_yellow),
    ORANGE: Number(totals.level_orange),
    RED: Number(totals.level_red),
    CRITICAL: Number(totals.level_critical),
  };
}

function emptyUsage(): Usage {
  return { cost: new Decimal(0), tokens: 0, requests: 0 };
}

function sumUsage(usages: readonly Usage[]): Usage {
  return usages.reduce(
    (sum, usage) => ({
      cost: sum.cost.plus(usage.cost),
      tokens: sum.tokens + usage.tokens,
      requests: sum.requests + usage.requests,
    }),
    emptyUsage(),
  );
}

function groupUsage(
  rows: readonly SystemUsageRow[],
  key: (row: SystemUsageRow) => string,
): Map<string, Usage> {
  const groups = new Map<string, Usage>();
  for (const row of rows) {
    const group = groups.get(key(row)) ?? emptyUsage();
    groups.set(key(row), {
      cost: group.cost.plus(row.cost),
      tokens: group.tokens + Number(row.tokens),
      requests: group.requests + Number(row.requests),
    });
  }
  return groups;
}

function presentUsage(usage: Usage) {
  return { cost: presentAmount(usage.cost), tokens: usage.tokens, requests: usage.requests };
}
