import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MessagingService } from '@tally/messaging';
import { RepeatingRound, counter } from '@tally/platform';
import { DataSource } from 'typeorm';
import { AnnouncedHoldsStore } from '../books/announced-holds.store';
import { Books } from '../books/books.service';
import { BudgetStore } from '../books/budget.store';
import { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger.config';
import { LEDGER_CONFIG } from '../config/ledger.tokens';

/** Accounts announced per transaction: their postings wait for it. */
const ROUND_BATCH = 200;

const announcedAgain = counter(
  'tally_ledger_hold_announcements_total',
  'Balances announced again because their holds changed since their last announcement',
);

const periodsStarted = counter(
  'tally_ledger_period_announcements_total',
  'Accounts whose budget period ended with no posting, their resets posted and announced by the round',
);

/**
 * Every `holdSweepIntervalMs`, announces the accounts whose budget period ended with no posting
 * since (ADR 0110), and again the balances whose last announcement subtracted
 * holds that have since been released or expired (or changed otherwise): only postings
 * announce, so without this an idle account's published `available` would count an ended hold
 * for good (ADR 0102). The announcements of a round are coalesced, one per account, in
 * transactions of the books; the release and the hold path do no more work for it. Several
 * ledger instances may run rounds at once: the balances' locks serialise them, and the second
 * finds nothing stale.
 */
@Injectable()
export class HoldAnnouncements implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly round = new RepeatingRound(
    'hold announcements',
    () => this.announceAll(),
    new Logger(HoldAnnouncements.name),
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly messaging: MessagingService,
    private readonly books: Books,
    private readonly announcedHolds: AnnouncedHoldsStore,
    private readonly budgets: BudgetStore,
    private readonly clock: Clock,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.round.start(this.config.holdSweepIntervalMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.round.stop();
  }

  /** Announces every account whose holds changed since its last announcement; returns how many. One round at a time. */
  announce(): Promise<number> {
    return this.round.run();
  }

  private async announceAll(): Promise<number> {
    return (await this.announcePeriods()) + (await this.announceHeldChanges());
  }

  /**
   * Posts the resets of the budgets whose period ended and announces their accounts: a period
   * ends with time, and an account that spends nothing would otherwise be published with the
   * ended period's figures (its level, its used) until its next posting (ADR 0110).
   */
  private async announcePeriods(): Promise<number> {
    let total = 0;
    let after = '';
    for (;;) {
      const now = this.clock.now();
      const due = await this.budgets.periodsEnded(this.dataSource.manager, now, after, ROUND_BATCH);
      if (due.length === 0) return total;
      await this.messaging.transaction((tx) => this.books.startPeriods(tx, due, now));
      periodsStarted.inc(due.length);
      total += due.length;
      if (due.length < ROUND_BATCH) return total;
      after = due[due.length - 1] ?? after;
    }
  }

  private async announceHeldChanges(): Promise<number> {
    let total = 0;
    let after = '';
    for (;;) {
      const now = this.clock.now();
      const stale = await this.announcedHolds.stale(
        this.dataSource.manager,
        now,
        after,
        ROUND_BATCH,
      );
      if (stale.length === 0) return total;
      const announced = await this.messaging.transaction((tx) =>
        this.books.announceHolds(tx, stale, now),
      );
      announcedAgain.inc(announced.length);
      total += announced.length;
      if (stale.length < ROUND_BATCH) return total;
      after = stale[stale.length - 1] ?? after;
    }
  }
}
