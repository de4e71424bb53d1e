import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Decimal } from 'decimal.js';
import {
  Topics,
  UNKNOWN_STANDING,
  anomalyCondition,
  anomalyHolds,
  assessHourlySpend,
  parseLedgerTransaction,
  parseUsageRated,
} from '@tally/budget-domain';
import type { OutboxTransaction } from '@tally/messaging';
import { DataSource } from 'typeorm';
import { AlertsService } from '../alerts/alerts.service';
import { BalanceStatesStore } from '../balances/balance-states.store';
import type { AlertingConfig } from '../config/alerting.config';
import { ALERTING_CONFIG } from '../config/alerting.tokens';
import { MessagingService } from '@tally/messaging';
import { hourlySpendOf } from './hourly-spend';
import { UsageRollupsStore } from './usage-rollups.store';
import type { RollupIncrement } from './usage-rollups.store';

const HOUR_MS = 3_600_000;

/**
 * ledger.transactions -> hourly spend rollups per account (never a row per event, DESIGN 7) and
 * the spend anomaly alert (ADR 0031): each usage line once, at what the ledger charged (ADR 0168).
 * usage.rated is still read (DESIGN 2) so that a bad record is dead-lettered, but adds nothing:
 * metering rates again an event re-sent with its time on another UTC day, which the ledger
 * posts once. Only accounts whose hour reached the rule's minimum spend, or that have an
 * anomaly alert to resolve, are assessed.
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
      // The spend is counted from the ledger's lines: a rated event adds nothing here.
      effect: () => Promise.resolve(),
    });
    await this.messaging.consumeTransactionally({
      topic: Topics.LedgerTransactions,
      fillsBatches: true,
      decode: parseLedgerTransaction,
      exactlyOnceBy: 'position',
      effect: (transactions, tx, now) => this.apply(hourlySpendOf(transactions), tx, now),
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  private async apply(
    increments: readonly RollupIncrement[],
    tx: OutboxTransaction,
    now: Date,
  ): Promise<void> {
    const totals = await this.rollups.add(tx.manager, increments);
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
