import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RepeatingRound, gauge } from '@tally/platform';
import { Decimal } from 'decimal.js';
import { DataSource } from 'typeorm';
import type { LedgerConfig } from '../config/ledger.config';
import { LEDGER_CONFIG } from '../config/ledger.tokens';
import { ReconciliationStore } from './reconciliation.store';

export interface Reconciliation {
  ok: boolean;
  /** Sum of every posting ever made: zero in a sound double-entry ledger. */
  postings_total: string;
  mismatches: Array<
    | {
        kind: 'cached_balance';
        account_id: string;
        ledger_account: string;
        cached: string;
        derived: string;
      }
    | { kind: 'unbalanced_transaction'; account_id: string; transaction_id: string; total: string }
    | { kind: 'orphan_posting'; account_id: string; transaction_id: string; ledger_account: string }
    | { kind: 'usage_lines'; account_id: string; transaction_id: string }
    | {
        kind: 'monthly_usage';
        account_id: string;
        month: string;
        counted_tokens: string;
        posted_tokens: string;
        counted_charged: string;
        posted_charged: string;
      }
    | {
        kind: 'held_total';
        account_id: string;
        api_key_id: string;
        cached: string;
        derived: string;
      }
    | { kind: 'orphan_reservation'; account_id: string; api_key_id: string; reservation_id: string }
  >;
}

const reconciled = gauge(
  'tally_ledger_reconciliation_ok',
  '1 when the last reconciliation was clean, 0 otherwise',
);

/**
 * Proves the books: postings sum to zero overall and per transaction, every posting belongs
 * to a transaction and a ledger account, every cached balance equals the sum of its
 * postings, every usage transaction's postings are the sums of its lines (revenue: what they
 * charged, each charge cost + markup − discount), every month counter the sum of the lines
 * posted in its month, every key's held total the sum of its held reservations, and every
 * reservation belongs to a key of its account. Runs on demand and every
 * `reconciliationIntervalMs`; a discrepancy is logged as an error and exported as a metric.
 */
@Injectable()
export class ReconciliationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReconciliationService.name);
  // The periodic runs only: one asked for by a command starts a snapshot of its own.
  private readonly round = new RepeatingRound(
    'reconciliation',
    () => this.reconcile(),
    this.logger,
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: ReconciliationStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.round.start(this.config.reconciliationIntervalMs);
  }

  onModuleDestroy(): Promise<void> {
    return this.round.stop();
  }

  async reconcile(): Promise<Reconciliation> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      // It reads the whole ledger, which only grows: the timeout that bounds requests (ADR 0180)
      // would leave the books unchecked once it is large. It holds no xid, so it delays no relay.
      await manager.query('SET LOCAL statement_timeout = 0');
      const { total, balances, unbalanced, orphans, heldTotals, orphanHolds, lines, months } =
        await this.store.read(manager);
      const mismatches: Reconciliation['mismatches'] = [
        ...balances.map((row) => ({
          kind: 'cached_balance' as const,
          account_id: row.account_id,
          ledger_account: row.code,
          cached: row.cached,
          derived: row.derived,
        })),
        ...unbalanced.map((row) => ({ kind: 'unbalanced_transaction' as const, ...row })),
        ...orphans.map((row) => ({ kind: 'orphan_posting' as const, ...row })),
        ...heldTotals.map((row) => ({ kind: 'held_total' as const, ...row })),
        ...orphanHolds.map((row) => ({ kind: 'orphan_reservation' as const, ...row })),
        ...lines.map((row) => ({ kind: 'usage_lines' as const, ...row })),
        ...months.map((row) => ({ kind: 'monthly_usage' as const, ...row })),
      ];
      const result: Reconciliation = {
        ok: new Decimal(total).isZero() && mismatches.length === 0,
        postings_total: total,
        mismatches,
      };
      reconciled.set(result.ok ? 1 : 0);
      if (!result.ok)
        this.logger.error(
          `LEDGER RECONCILIATION FAILED: postings total ${total}, ${result.mismatches.length} mismatches: ${JSON.stringify(result.mismatches.slice(0, 20))}`,
        );
      return result;
    });
  }
}
