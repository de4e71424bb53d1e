import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { computeBudgetStatus, daysRemaining, formatAmount } from '@tally/budget-domain';
import { DataSource } from 'typeorm';
import {
  balanceFacts,
  keyStatus,
  presentPeriod,
  presentStatus,
  projectedCost,
} from '../books/balance-snapshot';
import { accountBudgetOf, currentPeriods, keyBudgetOf } from '../books/budget-periods';
import { BudgetStore } from '../books/budget.store';
import { LedgerStore } from '../books/ledger.store';
import { Clock } from '../clock';
import { HoldsStore } from '../holds/holds.store';
import { BalancesException, BalancesExceptionCode } from './balances.exception';

const ZERO = new Decimal(0);

/** The `ledger.budget-status` reply (DESIGN 2). */
export interface BudgetStatusReply {
  account_id: string;
  api_key_id: string | null;
  used: string;
  remaining: string;
  extra_credit_remaining: string;
  available: string;
  available_percent: number;
  alert_level: string;
  recommended_strategy: string;
  days_remaining: number | null;
  projected_period_cost: string;
  over_soft_limit: boolean;
  over_hard_limit: boolean;
  overage: string;
  period: { start: string | null; end: string | null };
}

/** Read side of an account's money: its budget's current period, credit, overage and holds. */
@Injectable()
export class BalancesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly holds: HoldsStore,
    private readonly budgets: BudgetStore,
    private readonly ledger: LedgerStore,
    private readonly clock: Clock,
  ) {}

  /**
   * The account's status or, with `apiKeyId`, the key's: from the key's budget, or the
   * account's figures when the key has none (it spends the account's funds under the
   * account's limits alone).
   */
  async status(accountId: string, apiKeyId: string | null): Promise<BudgetStatusReply> {
    const now = this.clock.now();
    // One snapshot for all the figures. Plain reads only: a reader takes no row lock, so it
    // neither waits for a posting nor fails when one updates a row after the snapshot.
    const { balances, holds, budgets, keyHeld } = await this.dataSource.transaction(
      'REPEATABLE READ',
      async (manager) => {
        const held = await this.holds.heldAmounts(manager, [accountId], now);
        return {
          balances: await this.ledger.readBalances(manager, accountId),
          holds: held.get(accountId) ?? ZERO,
          budgets: currentPeriods(await this.budgets.read(manager, [accountId]), now),
          keyHeld:
            apiKeyId === null
              ? undefined
              : await this.holds.keyHeldAmount(manager, accountId, apiKeyId, now),
        };
      },
    );
    if (balances.size === 0)
      throw new BalancesException(
        BalancesExceptionCode.ACCOUNT_NOT_FOUND,
        `no account ${accountId}`,
      );
    if (apiKeyId !== null && keyHeld === undefined) {
      // As ledger.set-budget answers a key the account does not have.
      throw new BalancesException(
        BalancesExceptionCode.VALIDATION_FAILED,
        `api_key_id: no key ${apiKeyId} in this account`,
      );
    }
    const accountBudget = accountBudgetOf(budgets, accountId);
    const accountStatus = computeBudgetStatus(balanceFacts(balances, holds, accountBudget));
    const keyBudget = keyBudgetOf(budgets, accountId, apiKeyId);
    const status = keyBudget ? keyStatus(keyBudget, keyHeld ?? ZERO, accountStatus) : accountStatus;
    const budget = keyBudget ?? accountBudget;
    const period = budget?.state.period ?? { start: null, end: null };
    return {
      account_id: accountId,
      api_key_id: apiKeyId,
      ...presentStatus(status),
      recommended_strategy: status.recommendedStrategy,
      days_remaining: daysRemaining(period, now),
      projected_period_cost: formatAmount(projectedCost(budget, status.used, now)),
      period: presentPeriod(period),
    };
  }
}
