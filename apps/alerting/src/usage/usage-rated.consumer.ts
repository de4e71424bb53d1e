import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import {
  Topics,
  UNKNOWN_STANDING,
  anomalyCondition,
  anomalyHolds,
  assessHourlySpend,
  hourOf,
  parseUsageRated,
  timestampMs,
} from '@tally/budget-domain';
import type { UsageRated } from '@tally/budget-domain';
import type { OutboxTransaction } from '@tally/messaging';
import { DataSource } from 'typeorm';
import { AlertsService } from '../alerts/alerts.service';
import { BalanceStatesStore } from '../balances/balance-states.store';
import type { AlertingConfig } from '../config/alerting.config';
import { ALERTING_CONFIG } from '../config/alerting.tokens';
import { MessagingService } from '@tally/messaging';
import { UsageRollupsStore } from './usage-rollups.store';
import type { RollupIncrement } from './usage-rollups.store';

const HOUR_MS = 3_600_000;

/**
 * usage.rated -> hourly cost rollups per account (never a row per event, DESIGN 7) and the
 * spend anomaly alert (ADR 0031). Only accounts whose hour reached the rule's minimum spend,
 * or that have an anomaly alert to resolve, are assessed.
 */
@Injectable()
export class UsageRatedConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(UsageRatedConsumer.name);
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly messaging: MessagingService,
    private readonly rollups: UsageRollupsStore,
    private readonly balances: BalanceStatesStore,
    private readonly alerts: AlertsService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ALERTING_CONFIG) private readonly config: AlertingConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.pruneTimer = setInterval(() => void this.prune(), HOUR_MS);
    this.pruneTimer.unref();
    await this.messaging.consumeTransactionally({
      topic: Topics.UsageRated,
      fillsBatches: true,
      decode: parseUsageRated,
      exactlyOnceBy: 'position',
      effect: (usages, tx, now) => this.apply(usages, tx, now),
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  private async apply(usages: UsageRated[], tx: OutboxTransaction, now: Date): Promise<void> {
    const totals = await this.rollups.add(tx.manager, increments(usages));
    const latest = new Map<string, { hour: Date; cost: Decimal }>();
    for (const total of totals) {
      const seen = latest.get(total.accountId);
      if (!seen || total.hour > seen.hour) latest.set(total.accountId, total);
    }
    const rule = this.config.anomaly;
    const active = await this.alerts.activeSince(tx.manager, [...latest.keys()], 'anomaly');
    const candidates = [...latest].filter(
      ([accountId, total]) =>
        total.cost.greaterThanOrEqualTo(rule.minSpend) || active.has(accountId),
    );
    if (candidates.length === 0) return;
    const accountIds = candidates.map(([accountId]) => accountId);
    const earliest = Math.min(...candidates.map(([, total]) => total.hour.getTime()));
    const history = await this.rollups.recent(
      tx.manager,
      accountIds,
      new Date(earliest - rule.windowHours * HOUR_MS),
    );
    const standings = await this.balances.standings(tx.manager, accountIds);
    const session = await this.alerts.open(tx.manager, accountIds);
    for (const [accountId, total] of candidates) {
      const account = history.get(accountId);
      // A late event for an hour before the latest one says nothing about the present.
      if (!account || account.rollups.some((rollup) => rollup.hour > total.hour)) continue;
      const assessment = assessHourlySpend(total.hour, account.rollups, account.firstHour, rule);
      const activeSince = active.get(accountId);
      const holds = anomalyHolds(
        assessment,
        activeSince === undefined ? null : (activeSince ?? total.hour),
      );
      session.settle(
        { accountId, apiKeyId: null },
        ['anomaly'],
        holds
          ? [anomalyCondition(accountId, assessment, standings.get(accountId) ?? UNKNOWN_STANDING)]
          : [],
        now,
      );
    }
    await this.alerts.commit(tx, session, now);
  }

  private async prune(): Promise<void> {
    try {
      await this.rollups.prune(
        this.dataSource.manager,
        new Date(Date.now() - this.config.rollupRetentionHours * HOUR_MS),
      );
    } catch (error) {
      this.logger.warn(`pruning usage rollups failed: ${(error as Error).message}`);
    }
  }
}

/** A slice's usage summed per account and hour of occurred_at. */
function increments(usages: readonly UsageRated[]): RollupIncrement[] {
  const byKey = new Map<string, { accountId: string; hour: Date; cost: Decimal; events: number }>();
  for (const usage of usages) {
    // Without an offset the time is UTC (ADR 0071), not the host's zone, which Date would read.
    const hour = hourOf(new Date(timestampMs(usage.occurred_at)));
    const key = `${usage.account_id}\u0000${hour.getTime()}`;
    const entry = byKey.get(key) ?? {
      accountId: usage.account_id,
      hour,
      cost: new Decimal(0),
      events: 0,
    };
    entry.cost = entry.cost.plus(usage.cost);
    entry.events += 1;
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}
