import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import {
  checkAffordability,
  computeBudgetStatus,
  estimateCall,
  formatAmount,
  parseAmount,
  presentPercent,
} from '@tally/budget-domain';
import type { BudgetStatus, RefusalCode, SpendLimits } from '@tally/budget-domain';
import { budgetValidity } from '@tally/budget-domain';
import { PriceCatalogSource, counter } from '@tally/platform';
import { accountBudgetOf, currentPeriods, keyBudgetOf } from '../books/budget-periods';
import type { StoredBudget } from '../books/budget.store';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { ApiKeyPrincipal } from '../accounts/accounts.service';
import { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger.config';
import { LEDGER_CONFIG } from '../config/ledger.tokens';
import { HoldsStore } from '../holds/holds.store';
import { AuthorizationsException, AuthorizationsExceptionCode } from './authorizations.exception';
import { balanceFacts, keyFacts } from '../books/balance-snapshot';
import { AccountTurns } from './account-turns';
import type { AuthorizationRequest } from './authorization.dto';
import { AuthorizationStore } from './authorization.store';

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
  | {
      authorized: false;
      error_code: RefusalCode;
      message: string;
      available: string;
      alert_level: string;
    };

const ZERO = new Decimal(0);
/** Optimistic tries before an authorization queues on the account's row lock instead. */
const OPTIMISTIC_ATTEMPTS = 2;

const staleDecisions = counter(
  'tally_ledger_authorization_stale_decisions_total',
  'Authorization decisions discarded because another hold of the account came first',
);
const rowLockFallbacks = counter(
  'tally_ledger_authorization_row_locks_total',
  "Authorizations that queued on the account's row lock after the optimistic tries",
);

/**
 * Pre-call authorization: holds funds for a TTL if the cost is affordable. Authorizations of
 * one account take turns in this instance (ADR 0011) and serialise across instances on the
 * account's hold counter (ADR 0006): the facts are read in one statement, the decision is the
 * domain's, and the hold is inserted only if no other hold came in between. A contended
 * account falls back to its row lock. Holds expire by time alone. A model estimate is priced
 * with the catalog metering rates with (LEDGER_CATALOG_FILE: the same file as
 * METERING_CATALOG_FILE).
 */
@Injectable()
export class AuthorizationsService implements OnModuleInit, OnModuleDestroy {
  private readonly turns = new AccountTurns();
  private readonly catalogs: PriceCatalogSource;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: AuthorizationStore,
    private readonly holds: HoldsStore,
    private readonly clock: Clock,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.catalogs = new PriceCatalogSource(config.catalogFile);
  }

  onModuleInit(): void {
    this.catalogs.start();
  }

  onModuleDestroy(): void {
    this.catalogs.stop();
  }

  async authorize(
    principal: ApiKeyPrincipal,
    request: AuthorizationRequest,
  ): Promise<AuthorizationOutcome> {
    const amount = this.amountToHold(request, this.clock.now());
    // Two decisions of one account at once would read the same facts, and one would be thrown
    // away: within this instance they take turns (ADR 0011). Other instances still serialise
    // on the hold counter.
    return this.turns.take(principal.accountId, () =>
      this.decideInTurn(principal, request, amount, this.clock.now()),
    );
  }

  private async decideInTurn(
    principal: ApiKeyPrincipal,
    request: AuthorizationRequest,
    amount: Decimal,
    now: Date,
  ): Promise<AuthorizationOutcome> {
    for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt += 1) {
      const outcome = await this.decide(this.dataSource.manager, principal, request, amount, now);
      if (outcome) return outcome;
      staleDecisions.inc();
    }
    rowLockFallbacks.inc();
    return this.dataSource.transaction(async (manager) => {
      await this.store.lockAccount(manager, principal.accountId);
      const outcome = await this.decide(manager, principal, request, amount, now);
      if (!outcome) throw new Error(`a hold of ${principal.accountId} changed under its row lock`);
      return outcome;
    });
  }

  /** One decision on fresh facts; undefined when a concurrent hold made them stale. */
  private async decide(
    manager: EntityManager,
    principal: ApiKeyPrincipal,
    request: AuthorizationRequest,
    amount: Decimal,
    now: Date,
  ): Promise<AuthorizationOutcome | undefined> {
    const facts = await this.store.facts(
      manager,
      principal.accountId,
      principal.apiKeyId,
      request.request_id ?? null,
      now,
    );
    if (!facts)
      throw new AuthorizationsException(
        AuthorizationsExceptionCode.ACCOUNT_NOT_FOUND,
        'the account of this key does not exist',
      );
    const budgets = currentPeriods(facts.budgets, now);
    const accountBudget = accountBudgetOf(budgets, principal.accountId);
    const keyBudget = keyBudgetOf(budgets, principal.accountId, principal.apiKeyId);
    const status = computeBudgetStatus(balanceFacts(facts.balances, facts.held, accountBudget));
    if (facts.earlier) {
      return granted(
        facts.earlier.reservation_id,
        new Decimal(facts.earlier.amount),
        new Date(facts.earlier.expires_at),
        status,
      );
    }
    const decision = checkAffordability({
      cost: amount,
      accountActive: facts.accountStatus === 'active',
      account: spendLimits(status, accountBudget, now),
      ...(keyBudget
        ? {
            key: spendLimits(
              computeBudgetStatus(keyFacts(keyBudget, facts.keyHeld)),
              keyBudget,
              now,
            ),
          }
        : {}),
    });
    if (!decision.affordable) {
      return {
        authorized: false,
        error_code: decision.errorCode,
        message: decision.message,
        available: formatAmount(status.available),
        alert_level: status.alertLevel,
      };
    }
    const hold = {
      accountId: principal.accountId,
      reservationId: `res_${randomUUID()}`,
      apiKeyId: principal.apiKeyId,
      requestId: request.request_id ?? null,
      amount,
      expiresAt: new Date(now.getTime() + request.ttl_seconds * 1000),
    };
    if (!(await this.store.hold(manager, hold, facts.holdsVersion))) return undefined;
    return granted(
      hold.reservationId,
      amount,
      hold.expiresAt,
      computeBudgetStatus(balanceFacts(facts.balances, facts.held.plus(amount), accountBudget)),
    );
  }

  /** Releases a live hold of this key; false when there is none. */
  async release(principal: ApiKeyPrincipal, reservationId: string): Promise<boolean> {
    return this.holds.release(
      this.dataSource.manager,
      principal.accountId,
      principal.apiKeyId,
      reservationId,
      this.clock.now(),
    );
  }

  /** The estimate, or the worst case of the model and token estimate (all output tokens used). */
  private amountToHold(request: AuthorizationRequest, now: Date): Decimal {
    if ('estimated_cost' in request) return parseAmount(request.estimated_cost);
    const { cost: worstCase, confidence } = estimateCall(
      {
        service: request.service,
        model: request.model,
        ...(request.provider ? { provider: request.provider } : {}),
        inputTokens: request.input_tokens,
        maxOutputTokens: request.max_output_tokens,
        ...(request.power_level ? { powerLevel: request.power_level } : {}),
        at: now,
      },
      this.catalogs.catalog,
    );
    if (confidence < 1) {
      // A fallback price can be far below the real one (o1 costs 20 times the llm fallback):
      // never hold it.
      throw new AuthorizationsException(
        AuthorizationsExceptionCode.UNKNOWN_MODEL,
        `the price catalog does not know ${request.model}: send estimated_cost instead`,
      );
    }
    if (worstCase.isZero()) {
      throw new AuthorizationsException(
        AuthorizationsExceptionCode.VALIDATION_FAILED,
        `${request.model} prices this estimate at 0: there is nothing to hold`,
      );
    }
    return worstCase;
  }
}

/** A budget level's limits; without a budget the account spends prepaid credit only (hard stop at zero). */
function spendLimits(
  status: BudgetStatus,
  budget: StoredBudget | undefined,
  now: Date,
): SpendLimits {
  return {
    status,
    validity: budget ? budgetValidity(budget.definition, now) : 'active',
    hardLimit: budget?.definition.hardLimit ?? true,
    overageLimit: budget?.definition.overageLimit ?? ZERO,
  };
}

function granted(
  reservationId: string,
  amount: Decimal,
  expiresAt: Date,
  status: BudgetStatus,
): AuthorizationOutcome {
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
