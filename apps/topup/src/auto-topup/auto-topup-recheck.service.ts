import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { monthStartOf } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import { DataSource } from 'typeorm';
import { AutoTopUpSettingsStore } from '../auto-topup-status/auto-topup-settings.store';
import { AutoTopUpStatusService } from '../auto-topup-status/auto-topup-status.service';
import type { TopUpConfig } from '../config/topup.config';
import { TOPUP_CONFIG } from '../config/topup.tokens';
import { AutoTopUpDecisionService } from './auto-topup-decision.service';
import { ChargerService } from './charger.service';

/** Accounts looked at per read, and locked per transaction at most. */
const PAGE = 200;

/**
 * Cooldown and the monthly limit end with time, not with a message: an account refused for
 * them while out of funds posts no usage, so the ledger sends no new balance. Every
 * TOPUP_RECHECK_INTERVAL_MS, accounts announced in either state whose state time has changed
 * are locked, their last balance is decided again (at most one charge per balance state:
 * a decision id that has an entry is never charged again) and the new state is announced.
 * ADR 0058. An account announced with automatic payments of a month that has ended is announced
 * again with this month's (0), nothing decided (ADR 0113).
 */
@Injectable()
export class AutoTopUpRecheckService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AutoTopUpRecheck');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(TOPUP_CONFIG) private readonly config: TopUpConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly messaging: MessagingService,
    private readonly settings: AutoTopUpSettingsStore,
    private readonly status: AutoTopUpStatusService,
    private readonly decisions: AutoTopUpDecisionService,
    private readonly charger: ChargerService,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.recheck()
        .then(
          () => undefined,
          (error: unknown) => {
            this.logger.warn(`rechecking auto top-ups failed, will retry: ${String(error)}`);
          },
        )
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.config.recheckIntervalMs);
  }

  /** One pass over the accounts announced in cooldown or at their monthly limit; returns how many changed. */
  async recheck(): Promise<number> {
    let after = '';
    let changed = 0;
    for (;;) {
      const now = new Date();
      const page = await this.settings.timeBound(
        this.dataSource.manager,
        after,
        PAGE,
        monthStartOf(now),
      );
      const last = page.at(-1);
      if (!last) return changed;
      after = last.settings.accountId;
      const stale = page
        .filter((account) => this.status.isStale(account, now))
        .map((account) => account.settings.accountId);
      if (stale.length > 0) changed += await this.decideAgain(stale);
      if (this.stopped) return changed;
    }
  }

  private async decideAgain(accountIds: string[]): Promise<number> {
    const { changed, charged } = await this.messaging.transaction(async (tx) => {
      const now = new Date();
      const accounts = await this.settings.lock(tx.manager, accountIds, monthStartOf(now));
      let count = 0;
      let anyCharged = false;
      for (const account of accounts) {
        // Another instance, the consumer or a webhook may have got there first.
        if (!this.status.isStale(account, now)) continue;
        count += 1;
        // A state that ended with time is decided again; one only stale by its month's
        // automatic payments (a new month began) is announced as it now stands, charging nothing.
        if (!endsWithTime(account.settings.publishedStatus))
          await this.status.announce(tx, account.settings.accountId, now);
        else if (await this.decisions.decideLastBalanceAgain(tx, account, now)) anyCharged = true;
      }
      return { changed: count, charged: anyCharged };
    });
    if (charged) this.charger.kick();
    return changed;
  }
}

/** An announced state that time alone ends: cooldown and the monthly limit. */
function endsWithTime(published: unknown): boolean {
  const state = (published as { state?: unknown } | null)?.state;
  return state === 'cooldown' || state === 'monthly_limit_reached';
}
