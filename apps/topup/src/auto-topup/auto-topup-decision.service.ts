import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Decimal } from 'decimal.js';
import { decideAutoTopUp } from '@tally/budget-domain';
import type { OutboxTransaction } from '@tally/messaging';
import { counter } from '@tally/platform';
import type { AccountAutoTopUp } from '../auto-topup-status/auto-topup-settings.store';
import { AutoTopUpSettingsStore } from '../auto-topup-status/auto-topup-settings.store';
import { AutoTopUpStatusService } from '../auto-topup-status/auto-topup-status.service';
import type { TopUpConfig } from '../config/topup.config';
import { TOPUP_CONFIG } from '../config/topup.tokens';
import { EntriesStore } from '../entries/entries.store';
import { StripeService } from '../stripe/stripe.service';

/** Ends a decision id of a retry, never a first decision's (which ends in its sequence). */
const RETRY = ':retry-';

const decisions = counter(
  'tally_topup_auto_topup_decisions_total',
  'Auto top-up decisions on a balance below the trigger: charged, or the reason it was refused',
  ['decision'],
);

/** A balance state of the account, as the ledger announced it (DESIGN 3.3). */
export interface DecidedBalance {
  readonly sequence: number;
  readonly availablePercent: Decimal;
  /** Charges on this state that failed before: a retry is its own decision (and Stripe key). */
  readonly retry?: number;
}

/**
 * One auto top-up decision on one balance state of a locked account, by the budget-domain
 * policy. A charge is recorded as a pending payment in the caller's transaction, under the
 * id `<account>:<balance sequence>` (its Stripe idempotency key derives from it), so one
 * balance state is charged at most once; ChargerService calls Stripe after the commit. Only
 * when every charge on it failed may it be decided again, as `<id>:retry-<n>` (ADR 0062).
 */
@Injectable()
export class AutoTopUpDecisionService {
  private readonly logger = new Logger('AutoTopUp');

  constructor(
    @Inject(TOPUP_CONFIG) private readonly config: TopUpConfig,
    private readonly settings: AutoTopUpSettingsStore,
    private readonly status: AutoTopUpStatusService,
    private readonly entries: EntriesStore,
    private readonly stripe: StripeService,
  ) {}

  /** Decides, records the decision, announces the state; true when a charge was recorded. */
  async decide(
    tx: OutboxTransaction,
    account: AccountAutoTopUp,
    balance: DecidedBalance,
    now: Date,
  ): Promise<boolean> {
    const { accountId } = account.settings;
    const decision = decideAutoTopUp(
      this.status.settingsOf(account),
      this.status.factsOf(account),
      balance.availablePercent,
      now,
    );
    let recorded: string | null;
    if (
      decision.decision === 'refuse' &&
      decision.reason === 'disabled' &&
      account.settings.enabled &&
      this.status.inRetiredCurrency(account)
    ) {
      // An operator's change, not the tenant's: said apart from `disabled`, at warn.
      recorded = 'unsupported_currency';
      decisions.inc({ decision: recorded });
    } else if (decision.decision === 'refuse') {
      recorded = decision.reason === 'above_trigger' ? null : decision.reason;
      if (recorded) decisions.inc({ decision: recorded });
    } else if (this.stripe.liveBlocked) {
      recorded = 'live_topup_blocked';
    } else if (this.stripe.dryRun) {
      recorded = 'dry_run';
    } else {
      await this.entries.insert(tx.manager, {
        accountId,
        entryId: randomUUID(),
        kind: 'auto_purchase',
        trigger: 'auto',
        status: 'pending',
        creditAmount: decision.creditAmount,
        paidAmount: decision.amount,
        paidCurrency: decision.currency,
        decisionId: decisionIdOf(accountId, balance.sequence, balance.retry),
        nextChargeAt: now,
        createdAt: now,
      });
      recorded = 'charged';
      decisions.inc({ decision: 'charged' });
    }
    await this.settings.recordDecision(tx.manager, accountId, balance, recorded, now);
    if (recorded && recorded !== account.settings.lastDecision) {
      const said = `auto top-up of ${accountId} at ${balance.availablePercent.toFixed()} % available (balance ${balance.sequence}): ${recorded}`;
      if (recorded === 'unsupported_currency') {
        this.logger.warn(
          `${said}: its settings are in ${account.settings.paidCurrency}, TOPUP_PAID_CURRENCY is ${this.config.paidCurrency}; no credit rate, so it is announced disabled while they differ`,
        );
      } else {
        this.logger.log(said);
      }
    }
    await this.status.announce(tx, accountId, now);
    return recorded === 'charged';
  }

  /**
   * Decides the account's last applied balance again, under its settings and facts now, for
   * what no new balance will bring (an account out of funds posts no usage): a refusal time
   * lifted (ADR 0058), a change that may allow a charge (ADR 0060). A balance charged for, or
   * with a charge in flight, is only announced: it waits for the newer balance its credit
   * brings. One whose every charge failed is decided again under a new id (ADR 0062): the
   * policy refuses it while paused, so that takes a new card or a re-enable.
   */
  async decideLastBalanceAgain(
    tx: OutboxTransaction,
    account: AccountAutoTopUp,
    now: Date,
  ): Promise<boolean> {
    const { accountId, lastBalanceSequence, lastAvailablePercent } = account.settings;
    if (lastBalanceSequence === null || lastAvailablePercent === null) {
      await this.status.announce(tx, accountId, now);
      return false;
    }
    const firstId = decisionIdOf(accountId, lastBalanceSequence);
    const outcomes = await this.entries.outcomesOfDecisions(
      tx.manager,
      accountId,
      firstId,
      `${firstId}${RETRY}`,
    );
    if (outcomes.some((status) => status !== 'failed')) {
      await this.status.announce(tx, accountId, now);
      return false;
    }
    const balance = {
      sequence: lastBalanceSequence,
      availablePercent: lastAvailablePercent,
      retry: outcomes.length,
    };
    return this.decide(tx, account, balance, now);
  }
}

/**
 * The decision a charge on this balance state is recorded under; a retry after failed ones
 * gets its own, so Stripe sees a new idempotency key (the failed PaymentIntent stays failed).
 */
export function decisionIdOf(accountId: string, balanceSequence: number, retry = 0): string {
  const first = `${accountId}:${balanceSequence}`;
  return retry === 0 ? first : `${first}${RETRY}${retry}`;
}
