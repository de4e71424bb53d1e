import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { autoTopUpRefusal, monthStartOf } from '@tally/budget-domain';
import type { AutoTopUpRefusalCode } from '@tally/budget-domain';
import { DataSource } from 'typeorm';
import { Clock } from '../clock';
import { TopUpStatusStore } from './topup-status.store';
import type { StoredTopUpStatus } from './topup-status.store';

/** The longest an authorization may wait for a pending auto top-up (DESIGN 5). */
export const MAX_WAIT_MS = 30_000;
const FIRST_POLL_MS = 100;
const LONGEST_POLL_MS = 1_000;

/** What the explanation needs of an authorization's answer. */
export interface Decided {
  readonly authorized: boolean;
  readonly error_code?: string;
  readonly message?: string;
}

/**
 * Why an account is out of funds, from top-up's latest announcement: a refusal for want of
 * funds names the auto top-up's state (pending, monthly limit reached, no payment method)
 * instead of a bare BUDGET_EXHAUSTED, and a caller may wait for a pending top-up's credit.
 */
@Injectable()
export class TopUpStatusService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: TopUpStatusStore,
    private readonly clock: Clock,
  ) {}

  /** The answer, with BUDGET_EXHAUSTED replaced by the auto top-up's reason when it has one. */
  async explain<O extends Decided>(accountId: string, outcome: O): Promise<O> {
    if (outcome.authorized || outcome.error_code !== 'BUDGET_EXHAUSTED') return outcome;
    const status = await this.store.read(this.dataSource.manager, accountId);
    const reason = status && !this.endedWithItsMonth(status) && autoTopUpRefusal(status.state);
    if (!reason) return outcome;
    return { ...outcome, error_code: reason.errorCode, message: reason.message };
  }

  /**
   * A monthly limit announced in an earlier UTC month no longer holds: top-up announces the new
   * month's state when its recheck comes round (ADR 0173), and until then none is named.
   */
  private endedWithItsMonth(status: StoredTopUpStatus): boolean {
    return (
      status.state === 'monthly_limit_reached' &&
      status.announcedAt.getTime() < monthStartOf(this.clock.now()).getTime()
    );
  }

  /**
   * Decides, explained; when refused only because an auto top-up is pending and the caller
   * gave `waitMs`, decides again as the state moves until the top-up's credit is posted (or
   * it failed, or the time is up). Polls between decisions, holding no connection or turn.
   */
  async decideWaitingForCredit<O extends Decided>(
    accountId: string,
    waitMs: number,
    decide: () => Promise<O>,
  ): Promise<O> {
    let outcome = await this.explain(accountId, await decide());
    if (waitMs <= 0 || !pending(outcome)) return outcome;
    const deadline = Date.now() + Math.min(waitMs, MAX_WAIT_MS);
    const manager = this.dataSource.manager;
    const creditsBefore = await this.store.autoCreditsPosted(manager, accountId);
    for (let pollMs = FIRST_POLL_MS; Date.now() < deadline;) {
      await sleep(Math.min(pollMs, deadline - Date.now()));
      pollMs = Math.min(pollMs * 2, LONGEST_POLL_MS);
      outcome = await this.explain(accountId, await decide());
      if (outcome.authorized) break;
      if (pending(outcome)) continue;
      // No longer pending: top-up settled the charge. Wait on only while a success's credit
      // is on its way (the two facts travel on different topics).
      const status = await this.store.read(manager, accountId);
      if (status?.state === 'paused') break;
      if ((await this.store.autoCreditsPosted(manager, accountId)) > creditsBefore) {
        // The credit may have landed after the decision above: decide once more on it.
        outcome = await this.explain(accountId, await decide());
        break;
      }
    }
    return outcome;
  }
}

function pending(outcome: Decided): boolean {
  return (
    !outcome.authorized &&
    outcome.error_code === ('AUTO_TOPUP_PENDING' satisfies AutoTopUpRefusalCode)
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(ms, 0)));
}
