import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import { checkAffordability, computeBudgetStatus, defaultCatalog, estimateCost, formatAmount, parseAmount, presentPercent } from '@tally/budget-domain';
import type { BalanceFacts, BudgetStatus, RefusalCode, SpendLimits } from '@tally/budget-domain';
import { budgetValidity } from '@tally/budget-domain';
import { accountBudgetOf, currentPeriods, keyBudgetOf } from '../budgets/budget-periods';
import { BudgetStore } from '../budgets/budget.store';
import type { StoredBudget } from '../budgets/budget.store';
import { returningRows } from '@tally/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { ApiKeyPrincipal } from '../accounts/accounts.service';
import { Clock } from '../clock';
import { LedgerException, LedgerExceptionCode } from '../ledger.exception';
import { balanceFacts } from '../postings/balance-snapshot';
import { LedgerStore } from '../postings/ledger.store';
import type { AuthorizationRequest } from './authorization.dto';

export type AuthorizationOutcome =
  | {
      authorized: true;
      reservation_id: string;
      amount: string;
      expires_at: string;
      available: string;
      available_percent: number;
      alert_level: string;
      recommended_strategy: string;
    }
  | { authorized: false; error_code: RefusalCode; message: string; available: string; alert_level: string };

const ZERO = new Decimal(0);

/**
 * Pre-call authorization: holds funds for a TTL if the cost is affordable. Authorizations
 * and postings of one account serialise on its ledger rows (SELECT … FOR UPDATE), so
 * concurrent requests can never commit more than is available. Holds expire by time alone.
 */
@Injectable()
export class AuthorizationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: LedgerStore,
    private readonly budgets: BudgetStore,
    private readonly clock: Clock,
  ) {}

  async authorize(principal: ApiKeyPrincipal, request: AuthorizationRequest): Promise<AuthorizationOutcome> {
    const now = this.clock.now();
    const amount = this.amountToHold(request, now);
    return this.dataSource.transaction(async (manager) => {
      const balances = (await this.store.lockBalances(manager, [principal.accountId])).get(principal.accountId);
      if (!balances) throw new LedgerException(LedgerExceptionCode.ACCOUNT_NOT_FOUND, 'the account of this key does not exist');
      // The ledger rows are locked: holds and budgets cannot change under us until commit.
      const context = await this.context(manager, principal, request.request_id ?? null, now);
      const budgets = currentPeriods(await this.budgets.read(manager, principal.accountId), now);
      const accountBudget = accountBudgetOf(budgets, principal.accountId);
      const keyBudget = keyBudgetOf(budgets, principal.accountId, principal.apiKeyId);
      const status = computeBudgetStatus(balanceFacts(balances, context.held, accountBudget));
      if (context.earlier) {
        return granted(context.earlier.reservation_id, new Decimal(context.earlier.amount), new Date(context.earlier.expires_at), status);
      }
      const decision = checkAffordability({
        cost: amount,
        accountActive: context.accountStatus === 'active',
        account: spendLimits(status, accountBudget, now),
        ...(keyBudget ? { key: spendLimits(computeBudgetStatus(keyFacts(keyBudget, context.keyHeld)), keyBudget, now) } : {}),
      });
      if (!decision.affordable) {
        return { authorized: false, error_code: decision.errorCode, message: decision.message, available: formatAmount(status.available), alert_level: status.alertLevel };
      }
      const reservationId = `res_${randomUUID()}`;
      const expiresAt = new Date(now.getTime() + request.ttl_seconds * 1000);
      await manager.query(
        `INSERT INTO reservations (account_id, reservation_id, api_key_id, request_id, amount, status, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'held', $6)`,
        [principal.accountId, reservationId, principal.apiKeyId, request.request_id ?? null, amount.toFixed(), expiresAt],
      );
      return granted(reservationId, amount, expiresAt, computeBudgetStatus(balanceFacts(balances, context.held.plus(amount), accountBudget)));
    });
  }

  /** Everything else an authorization reads, in one round trip. */
  private async context(manager: EntityManager, principal: ApiKeyPrincipal, requestId: string | null, now: Date) {
    const [row]: Array<{
      account_status: string | null;
      held: string;
      key_held: string;
      earlier: { reservation_id: string; amount: string; expires_at: string } | null;
    }> = await manager.query(
      `SELECT
         (SELECT status FROM accounts WHERE account_id = $1) AS account_status,
         (SELECT coalesce(sum(amount), 0)::text FROM reservations
           WHERE account_id = $1 AND status = 'held' AND expires_at > $3) AS held,
         (SELECT coalesce(sum(amount), 0)::text FROM reservations
           WHERE account_id = $1 AND api_key_id = $2 AND status = 'held' AND expires_at > $3) AS key_held,
         (SELECT json_build_object('reservation_id', reservation_id, 'amount', amount::text, 'expires_at', expires_at)
           FROM reservations WHERE account_id = $1 AND api_key_id = $2 AND request_id = $4) AS earlier`,
      [principal.accountId, principal.apiKeyId, now, requestId],
    );
    return {
      accountStatus: row!.account_status,
      held: new Decimal(row!.held),
      keyHeld: new Decimal(row!.key_held),
      earlier: row!.earlier,
    };
  }

  /** Releases a held reservation of this key; false when there is none. */
  async release(principal: ApiKeyPrincipal, reservationId: string): Promise<boolean> {
    const released = await returningRows(
      this.dataSource.manager,
      `UPDATE reservations SET status = 'released'
       WHERE account_id = $1 AND api_key_id = $2 AND reservation_id = $3 AND status = 'held'
       RETURNING reservation_id`,
      [principal.accountId, principal.apiKeyId, reservationId],
    );
    return released.length > 0;
  }

  /** The estimate, or the worst case of the model and token estimate (all output tokens used). */
  private amountToHold(request: AuthorizationRequest, now: Date): Decimal {
    if ('estimated_cost' in request) {
      const amount = parseAmount(request.estimated_cost);
      if (amount.isNegative()) throw new LedgerException(LedgerExceptionCode.VALIDATION_FAILED, 'estimated_cost must not be negative');
      return amount;
    }
    return estimateCost(
      {
        service: request.service,
        model: request.model,
        ...(request.provider ? { provider: request.provider } : {}),
        inputTokens: request.input_tokens,
        maxOutputTokens: request.max_output_tokens,
        at: now,
      },
      defaultCatalog(),
    );
  }
}

/** A budget level's limits; without a budget the account spends prepaid credit only (hard stop at zero). */
function spendLimits(status: BudgetStatus, budget: StoredBudget | undefined, now: Date): SpendLimits {
  return {
    status,
    validity: budget ? budgetValidity(budget.definition, now) : 'active',
    hardLimit: budget?.definition.hardLimit ?? true,
    overageLimit: budget?.definition.overageLimit ?? ZERO,
  };
}

/** A key budget limits what the key spends of the account's funds; it holds no money of its own. */
function keyFacts(budget: StoredBudget, holds: Decimal): BalanceFacts {
  return {
    allowance: budget.state.allowance,
    used: budget.state.used,
    allowanceRemaining: budget.state.allowanceRemaining,
    creditRemaining: ZERO,
    creditBase: ZERO,
    overage: Decimal.max(budget.state.used.minus(budget.state.allowance), ZERO),
    holds,
    softLimitPercent: budget.definition.softLimitPercent,
    hardLimit: budget.definition.hardLimit,
  };
}

function granted(reservationId: string, amount: Decimal, expiresAt: Date, status: BudgetStatus): AuthorizationOutcome {
  return {
    authorized: true,
    reservation_id: reservationId,
    amount: formatAmount(amount),
    expires_at: expiresAt.toISOString(),
    available: formatAmount(status.available),
    available_percent: presentPercent(status.availablePercent),
    alert_level: status.alertLevel,
    recommended_strategy: status.recommendedStrategy,
  };
}
