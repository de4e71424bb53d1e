import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { schemaOf, tryTransactionLock } from '@tally/persistence';
import { RepeatingRound, counter } from '@tally/platform';
import { DataSource } from 'typeorm';
import { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger.config';
import { LEDGER_CONFIG } from '../config/ledger.tokens';
import { HoldsStore } from './holds.store';

/** Holds marked expired per transaction: small, because their keys wait for it. */
const SWEEP_BATCH = 200;
/** Ended holds deleted per transaction: they lock no key, and nothing else writes them. */
const FORGET_BATCH = 5_000;
const FORGET_EVERY_MS = 3600_000;
const DAY_MS = 86_400_000;

const expiredHolds = counter('tally_ledger_holds_expired_total', 'Holds the sweep marked expired');

/**
 * Marks expired holds `expired` and takes them off their keys' held totals, every
 * `holdSweepIntervalMs`. An expired hold stops counting at its expiry whether or not it was
 * swept; the sweep keeps the number of unswept ones, which every authorization reads, small
 * (ADR 0010). Several ledger instances may sweep at once: the key locks serialise them.
 */
@Injectable()
export class HoldSweep implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly round = new RepeatingRound(
    'hold sweep',
    () => this.sweepAll(),
    new Logger(HoldSweep.name),
  );

  private readonly retention = new RepeatingRound(
    'hold retention',
    () => this.forgetAllEnded(),
    new Logger(HoldSweep.name),
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly holds: HoldsStore,
    private readonly clock: Clock,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.round.start(this.config.holdSweepIntervalMs);
    this.retention.start(FORGET_EVERY_MS);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.round.stop(), this.retention.stop()]);
  }

  /**
   * Deletes the ended holds that expired more than `holdRetentionDays` ago, batch by batch;
   * returns how many (ADR 0136). Runs every hour; until then they answer a repeated request id.
   */
  forgetEnded(): Promise<number> {
    return this.retention.run();
  }

  private async forgetAllEnded(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - this.config.holdRetentionDays * DAY_MS);
    // Each instance scans the table: one at a time, the others skip their round.
    const lock = `tally.hold-retention.${schemaOf(this.dataSource)}`;
    let total = 0;
    for (;;) {
      const deleted = await this.dataSource.transaction(async (manager) =>
        (await tryTransactionLock(manager, lock))
          ? this.holds.forgetEnded(manager, before, FORGET_BATCH)
          : 0,
      );
      total += deleted;
      if (deleted < FORGET_BATCH) return total;
    }
  }

  /** Sweeps every hold expired by now, batch by batch; returns how many. One sweep at a time. */
  sweep(): Promise<number> {
    return this.round.run();
  }

  private async sweepAll(): Promise<number> {
    const now = this.clock.now();
    let total = 0;
    for (;;) {
      const expired = await this.dataSource.transaction((manager) =>
        this.holds.expire(manager, now, SWEEP_BATCH),
      );
      expiredHolds.inc(expired);
      total += expired;
      if (expired < SWEEP_BATCH) return total;
    }
  }
}
