import { Injectable } from '@nestjs/common';
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
import { MessagingService } from '@tally/messaging';
import { AccountsStore } from '../accounts/accounts.store';
import { Books } from '../books/books.service';
import { changeBudgetTerms, changePeriodRule, openingIssue } from '../books/budget-periods';
import type { StoredBudget } from '../books/budget.store';
import { Clock } from '../clock';
import { BudgetsException, BudgetsExceptionCode } from './budgets.exception';

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
 * except a new period rule (kind, reset day, anchor), which starts a period at once, and a new
 * limit of a budget without periods, which has no next period (ADR 0061).
 */
@Injectable()
export class BudgetsService {
  constructor(
    private readonly messaging: MessagingService,
    private readonly books: Books,
    private readonly accounts: AccountsStore,
    private readonly clock: Clock,
  ) {}

  async setBudget(command: SetBudgetCommand) {
    const now = this.clock.now();
    const definition = this.definitionOf(command, now);
    const apiKeyId = command.api_key_id ?? null;
    const budget = await this.messaging.transaction((tx) =>
      // Opening the books catches the account's budgets up to now, under the terms the missed
      // resets were due under.
      this.books.transact(tx, { accountIds: [command.account_id], now }, async (books) => {
        if (
          apiKeyId &&
          !(await this.accounts.findApiKey(tx.manager, command.account_id, apiKeyId))
        ) {
          throw new BudgetsException(
            BudgetsExceptionCode.VALIDATION_FAILED,
            `api_key_id: no key ${apiKeyId} in this account`,
          );
        }
        const existing = apiKeyId
          ? books.keyBudget(command.account_id, apiKeyId)
          : books.accountBudget(command.account_id);
        if (existing) {
          // A new period rule starts a period now; any other change applies from the next reset,
          // but a budget without periods has none, so its new limit applies now.
          const changed = { ...definition, createdAt: existing.definition.createdAt };
          const transactions = samePeriodRule(existing.definition, changed)
            ? changeBudgetTerms(existing, changed, now)
            : changePeriodRule(existing, changed, now);
          for (const transaction of transactions) books.record(transaction);
          return existing;
        }
        const created: StoredBudget = {
          accountId: command.account_id,
          apiKeyId,
          definition,
          state: openingState(definition),
        };
        books.addBudget(created);
        if (apiKeyId === null) books.record(openingIssue(created, now));
        return created;
      }),
    );
    return budgetReply(budget);
  }

  private definitionOf(command: SetBudgetCommand, now: Date): BudgetDefinition {
    const decimal = (value: string | number | undefined, fallback: Decimal, field: string) => {
      if (value === undefined) return fallback;
      try {
        return new Decimal(value);
      } catch {
        throw new BudgetsException(
          BudgetsExceptionCode.VALIDATION_FAILED,
          `${field}: not a number`,
        );
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
        throw new BudgetsException(BudgetsExceptionCode.VALIDATION_FAILED, error.message);
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
