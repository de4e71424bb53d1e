import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import {
  InvalidPlanError,
  assertPlan,
  calendarMonthOf,
  formatAmount,
  includedAllowanceBudget,
  openingState,
} from '@tally/budget-domain';
import type { Plan } from '@tally/budget-domain';
import { MessagingService } from '@tally/messaging';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { Books } from '../books/books.service';
import type { OpenBooks } from '../books/books.service';
import { openingIssue } from '../books/budget-periods';
import type { StoredBudget } from '../books/budget.store';
import { Clock } from '../clock';
import { PlansException, PlansExceptionCode } from './plans.exception';
import { PlansStore } from './plans.store';
import type { MonthlyCapFacts, StoredPlan } from './plans.store';

/** The `ledger.set-plan` request (DESIGN 4, Plans), already shape-checked. */
export interface SetPlanCommand {
  name: string;
  markup_percent_paid?: string | number;
  markup_percent_free?: string | number;
  volume_discount_tiers?: Array<{ from_tokens: number; percent: string | number }>;
  included_allowance?: string | null;
  monthly_cap?: string | null;
}

/**
 * Plans and the accounts on them: a plan is replaced as a whole by `setPlan`; assigning one
 * turns its included allowance into a monthly budget when the account has none (ADR 0044). An
 * account's own monthly cap, when set, is in force instead of its plan's.
 */
@Injectable()
export class PlansService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly messaging: MessagingService,
    private readonly books: Books,
    private readonly store: PlansStore,
    private readonly clock: Clock,
  ) {}

  async setPlan(command: SetPlanCommand) {
    const plan = planOf(command);
    return planReply(await this.store.savePlan(this.dataSource.manager, plan, this.clock.now()));
  }

  async listPlans() {
    return { items: (await this.store.plans(this.dataSource.manager)).map(planReply) };
  }

  async getPlan(name: string) {
    return planReply(await this.existingPlan(name));
  }

  async assignPlan(accountId: string, planName: string) {
    const now = this.clock.now();
    return this.messaging.transaction((tx) =>
      this.books.transact(tx, { accountIds: [accountId], now }, async (books) => {
        const plan = await this.store.plan(tx.manager, planName);
        if (!plan) throw planNotFound(planName);
        return this.assign(tx.manager, books, accountId, plan, now);
      }),
    );
  }

  /**
   * Puts an account created on a tier on the plan of that name (ADR 0044), as `assignPlan`
   * does, unless it has a plan row already or no plan has that name (the tier is a label then).
   * A create repeated after a crash between the two finishes the assignment.
   */
  async assignTierPlan(accountId: string, tier: string): Promise<void> {
    const now = this.clock.now();
    await this.messaging.transaction((tx) =>
      this.books.transact(tx, { accountIds: [accountId], now }, async (books) => {
        if (await this.store.hasPlanRow(tx.manager, accountId)) return;
        const plan = await this.store.plan(tx.manager, tier);
        if (plan) await this.assign(tx.manager, books, accountId, plan, now);
      }),
    );
  }

  private async assign(
    manager: EntityManager,
    books: OpenBooks,
    accountId: string,
    plan: StoredPlan,
    now: Date,
  ) {
    await this.store.assign(manager, accountId, plan.name, now);
    let budgetCreated = false;
    if (plan.includedAllowance && !books.accountBudget(accountId)) {
      const definition = includedAllowanceBudget(plan.includedAllowance, now);
      const budget: StoredBudget = {
        accountId,
        apiKeyId: null,
        definition,
        state: openingState(definition),
      };
      books.addBudget(budget);
      books.record(openingIssue(budget, now));
      budgetCreated = true;
    }
    return {
      account_id: accountId,
      plan: planReply(plan),
      assigned_at: now.toISOString(),
      budget_created: budgetCreated,
    };
  }

  setMonthlyCap(accountId: string, cap: string) {
    return this.changeCap(accountId, new Decimal(cap));
  }

  removeMonthlyCap(accountId: string) {
    return this.changeCap(accountId, null);
  }

  async monthlyCap(accountId: string) {
    const month = calendarMonthOf(this.clock.now());
    const facts = await this.store.monthlyCapFacts(this.dataSource.manager, accountId, month);
    if (!facts) throw accountNotFound(accountId);
    return capReply(accountId, month, facts);
  }

  private async changeCap(accountId: string, cap: Decimal | null) {
    if (
      !(await this.store.setAccountCap(this.dataSource.manager, accountId, cap, this.clock.now()))
    )
      throw accountNotFound(accountId);
    return this.monthlyCap(accountId);
  }

  private async existingPlan(name: string): Promise<StoredPlan> {
    const plan = await this.store.plan(this.dataSource.manager, name);
    if (!plan) throw planNotFound(name);
    return plan;
  }
}

function planOf(command: SetPlanCommand): Plan {
  const decimal = (value: string | number | null | undefined, field: string) => {
    if (value === undefined || value === null) return null;
    try {
      return new Decimal(value);
    } catch {
      throw new PlansException(PlansExceptionCode.VALIDATION_FAILED, `${field}: not a number`);
    }
  };
  try {
    return assertPlan({
      name: command.name,
      markupPercentPaid:
        decimal(command.markup_percent_paid, 'markup_percent_paid') ?? new Decimal(0),
      markupPercentFree:
        decimal(command.markup_percent_free, 'markup_percent_free') ?? new Decimal(0),
      volumeTiers: (command.volume_discount_tiers ?? []).map((tier, index) => ({
        fromTokens: tier.from_tokens,
        percent: decimal(tier.percent, `volume_discount_tiers[${index}].percent`) ?? new Decimal(0),
      })),
      includedAllowance: decimal(command.included_allowance, 'included_allowance'),
      monthlyCap: decimal(command.monthly_cap, 'monthly_cap'),
    });
  } catch (error) {
    if (error instanceof InvalidPlanError)
      throw new PlansException(PlansExceptionCode.VALIDATION_FAILED, error.message);
    throw error;
  }
}

export function planReply(plan: StoredPlan) {
  return {
    name: plan.name,
    markup_percent_paid: plan.markupPercentPaid.toFixed(),
    markup_percent_free: plan.markupPercentFree.toFixed(),
    volume_discount_tiers: plan.volumeTiers.map((tier) => ({
      from_tokens: tier.fromTokens,
      percent: tier.percent.toFixed(),
    })),
    included_allowance: plan.includedAllowance ? formatAmount(plan.includedAllowance) : null,
    monthly_cap: plan.monthlyCap ? formatAmount(plan.monthlyCap) : null,
    updated_at: plan.updatedAt.toISOString(),
  };
}

function capReply(accountId: string, month: Date, facts: MonthlyCapFacts) {
  const cap = facts.accountCap ?? facts.planCap;
  return {
    account_id: accountId,
    plan: facts.planName,
    monthly_cap: cap ? formatAmount(cap) : null,
    cap_source: facts.accountCap ? 'account' : facts.planCap ? 'plan' : null,
    month: month.toISOString().slice(0, 7),
    tokens: facts.monthTokens,
    charged: formatAmount(facts.monthCharged),
    remaining: cap ? formatAmount(Decimal.max(cap.minus(facts.monthCharged), 0)) : null,
  };
}

function planNotFound(name: string): PlansException {
  return new PlansException(PlansExceptionCode.PLAN_NOT_FOUND, `no plan ${name}`);
}

function accountNotFound(accountId: string): PlansException {
  return new PlansException(PlansExceptionCode.ACCOUNT_NOT_FOUND, `no account ${accountId}`);
}
