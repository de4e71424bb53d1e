import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import {
  BUDGET_DEFAULTS,
  InvalidBudgetError,
  assertBudget,
  formatAmount,
  openingState,
  samePeriodRule,
} from '@tally/budget-domain';
import type { BudgetDefinition, PeriodKind } from '@tally/budget-domain';
import { MessagingService, enqueueOutbox } from '@tally/messaging';
import { DataSource } from 'typeorm';
import { Clock } from '../clock';
import { LedgerException, LedgerExceptionCode } from '../ledger.exception';
import type { NewTransaction } from '../postings/ledger.store';
import { PostingService, applyPostings } from '../postings/posting.service';
import type { StoredBudget } from './budget.store';
import { accountBudgetOf, changePeriodRule, keyBudgetOf, openingIssue } from './budget-periods';

/** The `ledger.set-budget` request (DESIGN 2), already shape-checked. */
export interface SetBudgetCommand {
  account_id: string;
  api_key_id?: string | null;
  period: PeriodKind;
  reset_day?: number;
  anchor_start?: string;
  limit: string;
  soft_limit_percent?: string | number;
  hard_limit: boolean;
  overage_limit?: string;
  rollover_max_percent?: string | number;
  prorate?: boolean;
  expires_at?: string;
  grace_period_hours?: number;
  active?: boolean;
}

/**
 * Sets the budget of an account or of a key inside it. A new account budget issues its first
 * (optionally prorated) allowance at once; a changed definition applies from the next period,
 * except a new period rule (kind, reset day, anchor), which starts a period at once.
 */
@Injectable()
export class BudgetsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly postings: PostingService,
    private readonly messaging: MessagingService,
    private readonly clock: Clock,
  ) {}

  async setBudget(command: SetBudgetCommand) {
    const now = this.clock.now();
    const definition = this.definitionOf(command, now);
    const apiKeyId = command.api_key_id ?? null;
    const result = await this.dataSource.transaction(async (manager) => {
      // Locking also catches the account's budgets up to now, under the terms the missed resets
      // were due under.
      const locked = await this.postings.lock(manager, [command.account_id], now);
      const account = locked.balances.get(command.account_id);
      if (!account)
        throw new LedgerException(
          LedgerExceptionCode.ACCOUNT_NOT_FOUND,
          `no account ${command.account_id}`,
        );
      if (apiKeyId) {
        const keys: unknown[] = await manager.query(
          'SELECT 1 FROM api_keys WHERE account_id = $1 AND api_key_id = $2',
          [command.account_id, apiKeyId],
        );
        if (keys.length === 0)
          throw new LedgerException(
            LedgerExceptionCode.VALIDATION_FAILED,
            `api_key_id: no key ${apiKeyId} in this account`,
          );
      }
      const existing = apiKeyId
        ? keyBudgetOf(locked.budgets, command.account_id, apiKeyId)
        : accountBudgetOf(locked.budgets, command.account_id);
      let budget: StoredBudget;
      const transactions: NewTransaction[] = [];
      if (existing) {
        // A new period rule starts a period now; any other change applies from the next reset.
        const changed = { ...definition, createdAt: existing.definition.createdAt };
        if (samePeriodRule(existing.definition, changed)) existing.definition = changed;
        else transactions.push(...changePeriodRule(existing, changed, now));
        budget = existing;
      } else {
        budget = {
          accountId: command.account_id,
          apiKeyId,
          definition,
          state: openingState(definition),
        };
        locked.budgets.push(budget);
        if (apiKeyId === null) transactions.push(openingIssue(budget, now));
      }
      for (const transaction of transactions) applyPostings(account, transaction);
      await enqueueOutbox(
        manager,
        await this.postings.postLocked(manager, locked, transactions, now),
      );
      return budget;
    });
    this.messaging.outboxCommitted();
    return budgetReply(result);
  }

  private definitionOf(command: SetBudgetCommand, now: Date): BudgetDefinition {
    const decimal = (value: string | number | undefined, fallback: Decimal, field: string) => {
      if (value === undefined) return fallback;
      try {
        return new Decimal(value);
      } catch {
        throw new LedgerException(LedgerExceptionCode.VALIDATION_FAILED, `${field}: not a number`);
      }
    };
    try {
      return assertBudget({
        period: command.period,
        ...(command.reset_day !== undefined ? { resetDay: command.reset_day } : {}),
        ...(command.anchor_start ? { anchorStart: new Date(command.anchor_start) } : {}),
        limit: decimal(command.limit, new Decimal(0), 'limit'),
        softLimitPercent: decimal(
          command.soft_limit_percent,
          BUDGET_DEFAULTS.softLimitPercent,
          'soft_limit_percent',
        ),
        hardLimit: command.hard_limit,
        overageLimit: decimal(command.overage_limit, BUDGET_DEFAULTS.overageLimit, 'overage_limit'),
        rolloverMaxPercent: decimal(
          command.rollover_max_percent,
          BUDGET_DEFAULTS.rolloverMaxPercent,
          'rollover_max_percent',
        ),
        prorate: command.prorate ?? false,
        createdAt: now,
        ...(command.expires_at ? { expiresAt: new Date(command.expires_at) } : {}),
        gracePeriodHours: command.grace_period_hours ?? BUDGET_DEFAULTS.gracePeriodHours,
        active: command.active ?? true,
      });
    } catch (error) {
      if (error instanceof InvalidBudgetError)
        throw new LedgerException(LedgerExceptionCode.VALIDATION_FAILED, error.message);
      throw error;
    }
  }
}

function budgetReply(budget: StoredBudget) {
  const d = budget.definition;
  return {
    account_id: budget.accountId,
    api_key_id: budget.apiKeyId,
    period: d.period,
    reset_day: d.resetDay ?? null,
    anchor_start: d.anchorStart?.toISOString() ?? null,
    limit: formatAmount(d.limit),
    soft_limit_percent: d.softLimitPercent.toNumber(),
    hard_limit: d.hardLimit,
    overage_limit: formatAmount(d.overageLimit),
    rollover_max_percent: d.rolloverMaxPercent.toNumber(),
    prorate: d.prorate,
    expires_at: d.expiresAt?.toISOString() ?? null,
    grace_period_hours: d.gracePeriodHours,
    active: d.active,
    current_period: {
      start: budget.state.period.start?.toISOString() ?? null,
      end: budget.state.period.end?.toISOString() ?? null,
    },
    allowance: formatAmount(budget.state.allowance),
    used: formatAmount(budget.state.used),
    remaining: formatAmount(budget.state.allowanceRemaining),
  };
}
