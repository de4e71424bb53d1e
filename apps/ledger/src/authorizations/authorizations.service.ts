import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Decimal } from 'decimal.js';
import {
  chargeUsage,
  checkAffordability,
  computeBudgetStatus,
  deriveProvider,
  estimateCall,
  formatAmount,
  isFreeModel,
  parseAmount,
  presentPercent,
} from '@tally/budget-domain';
import type {
  AutoTopUpRefusalCode,
  BudgetStatus,
  RefusalCode,
  SpendLimits,
  UsageToCharge,
} from '@tally/budget-domain';
import { budgetValidity } from '@tally/budget-domain';
import { PriceCatalogSource, counter } from '@tally/platform';
import { accountBudgetOf, currentPeriods, keyBudgetOf } from '../books/budget-periods';
import type { StoredBudget } from '../books/budget.store';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import type { ApiKeyPrincipal } from '../accounts/accounts.service';
import { Clock } from '../clock';
import type { LedgerConfig } from '../config/ledger.config';
import { LEDGER_CONFIG } from '../config/ledger.tokens';
import { HoldsStore } from '../holds/holds.store';
import { AuthorizationsException, AuthorizationsExceptionCode } from './authorizations.exception';
import { balanceFacts, keyFacts, keyStatus } from '../books/balance-snapshot';
import { AccountTurns } from './account-turns';
import { TopUpStatusService } from '../topup-status/topup-status.service';
import { requestFingerprint } from './authorization.dto';
import type { AuthorizationRequest } from './authorization.dto';
import { AuthorizationStore, factsAfterHold, keptFactsAt } from './authorization.store';
import type { AuthorizationFacts, NewHold } from './authorization.store';
import { RecentFacts } from './recent-facts';

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
      reservation_id: null;
      error_code: RefusalCode | AutoTopUpRefusalCode;
      message: string;
      available: string;
      alert_level: string;
      recommended_strategy: string;
    };

type Refusal = Extract<AuthorizationOutcome, { authorized: false }>;
/** What the caller is answered: a refusal carries one of DESIGN 4's codes (ADR 0094). */
export type AnsweredAuthorization =
  | Exclude<AuthorizationOutcome, Refusal>
  | (Omit<Refusal, 'error_code'> & {
      error_code: Exclude<Refusal['error_code'], 'MONTHLY_CAP_REACHED'>;
    });

/** The domain's decision: an answer, or a hold to place and the answer once it is placed. */
type Decision = { readonly hold?: undefined; readonly outcome: AuthorizationOutcome } | HoldToPlace;
type HoldToPlace = { readonly hold: NewHold; readonly outcome: AuthorizationOutcome };

/** What a hold is for: an amount the caller estimated, or a call the account's plan prices. */
type HoldEstimate = { readonly amount: Decimal } | { readonly call: UsageToCharge };

const ZERO = new Decimal(0);
/** Optimistic tries before an authorization queues on the account's row lock instead. */
const OPTIMISTIC_ATTEMPTS = 2;

const staleDecisions = counter(
  'tally_ledger_authorization_stale_decisions_total',
  'Authorization decisions discarded because another hold of the account came first',
);
const keptFactsUsed = counter(
  'tally_ledger_authorization_kept_facts_total',
  "Holds decided on facts kept from the key's last request, by whether they were still current",
  ['result'],
);
const rowLockFallbacks = counter(
  'tally_ledger_authorization_row_locks_total',
  "Authorizations that queued on the account's row lock after the optimistic tries",
);

/**
 * Pre-call authorization: holds funds for a TTL if the cost is affordable. Authorizations of
 * one account take turns in this instance (ADR 0011) and serialise across instances on the
 * account's hold counter (ADR 0006): the facts are read in one statement, the decision is the
 * domain's, and the hold is inserted only if no other hold came in between. A key's next
 * request decides on the facts its last one left and places its hold in one round trip, if
 * their versions are still current (ADR 0046, ADR 0048). A contended
 * account falls back to its row lock. A key revoked since the edge let it in is refused by
 * these statements themselves (ADR 0053). Holds expire by time alone. A model estimate is priced
 * with the catalog metering rates with (LEDGER_CATALOG_FILE: the same file as
 * METERING_CATALOG_FILE).
 */
@Injectable()
export class AuthorizationsService implements OnModuleInit, OnModuleDestroy {
  private readonly turns = new AccountTurns();
  private readonly recent = new RecentFacts();
  private readonly catalogs: PriceCatalogSource;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: AuthorizationStore,
    private readonly holds: HoldsStore,
    private readonly accounts: AccountsService,
    private readonly clock: Clock,
    private readonly topUps: TopUpStatusService,
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
  ): Promise<AnsweredAuthorization> {
    const estimate = this.amountToHold(request, this.clock.now());
    const fingerprint = request.request_id === undefined ? null : requestFingerprint(request);
    // Two decisions of one account at once would read the same facts, and one would be thrown
    // away: within this instance they take turns (ADR 0011). Other instances still serialise
    // on the hold counter. A refusal names a pending auto top-up, which `wait_ms` waits for.
    const outcome = await this.topUps.decideWaitingForCredit(
      principal.accountId,
      request.wait_ms ?? 0,
      () =>
        this.turns.take(principal.accountId, () =>
          this.decideInTurn(principal, request, estimate, fingerprint, this.clock.now()),
        ),
    );
    return answered(outcome);
  }

  private async decideInTurn(
    principal: ApiKeyPrincipal,
    request: AuthorizationRequest,
    estimate: HoldEstimate,
    fingerprint: string | null,
    now: Date,
  ): Promise<AuthorizationOutcome> {
    const manager = this.dataSource.manager;
    const kept = this.recent.get(principal);
    // Facts kept from this key's last request may be stale: a hold decided on them is placed
    // only if they are not (one round trip), and a refusal is never given on them.
    let facts = kept && keptFactsAt(kept, now);
    let fresh = false;
    for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS;) {
      if (!facts) {
        facts = await this.readFacts(manager, principal, request, now);
        fresh = true;
      }
      const decision = this.decide(facts, principal, request, estimate, fingerprint, now);
      if (!decision.hold) {
        if (!fresh) {
          facts = undefined;
          continue;
        }
        this.recent.keep(principal, facts);
        return decision.outcome;
      }
      if (fresh) {
        if (await this.store.hold(manager, decision.hold, facts.holdsVersion))
          return this.placed(principal, facts, decision);
        staleDecisions.inc();
        attempt += 1;
        facts = undefined;
        continue;
      }
      const placed = await this.store.holdIfCurrent(manager, decision.hold, facts.seen, now);
      keptFactsUsed.inc({ result: placed ? 'current' : 'changed' });
      if (placed) return this.placed(principal, facts, decision);
      facts = undefined;
    }
    rowLockFallbacks.inc();
    return this.dataSource.transaction(async (locked) => {
      await this.store.lockAccount(locked, principal.accountId);
      const facts = await this.readFacts(locked, principal, request, now);
      const decision = this.decide(facts, principal, request, estimate, fingerprint, now);
      if (!decision.hold) return decision.outcome;
      if (!(await this.store.hold(locked, decision.hold, facts.holdsVersion))) {
        // A revocation does not wait for the account's lock: reading again refuses the key.
        await this.readFacts(locked, principal, request, now);
        throw new Error(`a hold of ${principal.accountId} changed under its row lock`);
      }
      return this.placed(principal, facts, decision);
    });
  }

  private async readFacts(
    manager: EntityManager,
    principal: ApiKeyPrincipal,
    request: AuthorizationRequest,
    now: Date,
  ): Promise<AuthorizationFacts> {
    const facts = await this.store.facts(
      manager,
      principal.accountId,
      principal.apiKeyId,
      request.request_id ?? null,
      now,
    );
    if (!facts) return accountNotFound();
    if (facts.keyRevoked) this.refuseRevoked(principal);
    return facts;
  }

  /** The key was revoked (maybe on another instance): its secret is forgotten here too. */
  private refuseRevoked(principal: ApiKeyPrincipal): never {
    this.accounts.forget(principal);
    throw new AuthorizationsException(
      AuthorizationsExceptionCode.UNAUTHORIZED,
      'this API key was revoked',
    );
  }

  /** Keeps the facts as this hold left them, for the key's next request. */
  private placed(
    principal: ApiKeyPrincipal,
    facts: AuthorizationFacts,
    decision: HoldToPlace,
  ): AuthorizationOutcome {
    this.recent.keep(principal, factsAfterHold(facts, decision.hold.amount));
    return decision.outcome;
  }

  /** The domain's decision on these facts: an answer, or a hold to place and its answer. */
  private decide(
    facts: AuthorizationFacts,
    principal: ApiKeyPrincipal,
    request: AuthorizationRequest,
    estimate: HoldEstimate,
    fingerprint: string | null,
    now: Date,
  ): Decision {
    const budgets = currentPeriods(facts.budgets, now);
    const accountBudget = accountBudgetOf(budgets, principal.accountId);
    const keyBudget = keyBudgetOf(budgets, principal.accountId, principal.apiKeyId);
    const status = computeBudgetStatus(balanceFacts(facts.balances, facts.held, accountBudget));
    // The answer describes the caller's key as its budget status does (ADR 0100): a key with a
    // budget of its own answers that budget's figures, what it has available capped by the
    // account's; any other key, the account's.
    const answered = (account: BudgetStatus, keyHeld: Decimal) =>
      keyBudget ? keyStatus(keyBudget, keyHeld, account) : account;
    if (facts.earlier) {
      const earlierFingerprint = facts.earlier.request_fingerprint;
      // A hold placed before reservations kept their request's digest answers any repeat.
      if (earlierFingerprint !== null && earlierFingerprint !== fingerprint) {
        throw new AuthorizationsException(
          AuthorizationsExceptionCode.IDEMPOTENCY_KEY_REUSED,
          `request_id ${request.request_id} was used for another request (amount, estimate or ttl_seconds)`,
        );
      }
      return {
        outcome: granted(
          facts.earlier.reservation_id,
          new Decimal(facts.earlier.amount),
          new Date(facts.earlier.expires_at),
          answered(status, facts.keyHeld),
        ),
      };
    }
    const { terms } = facts;
    // A call is held at what the account's plan will charge for it (ADR 0042).
    const amount =
      'amount' in estimate
        ? estimate.amount
        : chargeUsage(estimate.call, terms, terms.monthTokens).charged;
    const decision = checkAffordability({
      cost: amount,
      accountActive: facts.accountStatus === 'active',
      ...(terms.monthlyCap
        ? {
            monthlyCap: { cap: terms.monthlyCap, charged: terms.monthCharged, held: facts.held },
          }
        : {}),
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
      const shown = answered(status, facts.keyHeld);
      return {
        outcome: {
          authorized: false,
          reservation_id: null,
          error_code: decision.errorCode,
          message: decision.message,
          available: formatAmount(shown.available),
          alert_level: shown.alertLevel,
          recommended_strategy: shown.recommendedStrategy,
        },
      };
    }
    const hold: NewHold = {
      accountId: principal.accountId,
      reservationId: `res_${randomUUID()}`,
      apiKeyId: principal.apiKeyId,
      requestId: request.request_id ?? null,
      requestFingerprint: fingerprint,
      amount,
      expiresAt: new Date(now.getTime() + request.ttl_seconds * 1000),
    };
    return {
      hold,
      outcome: granted(
        hold.reservationId,
        amount,
        hold.expiresAt,
        answered(
          computeBudgetStatus(balanceFacts(facts.balances, facts.held.plus(amount), accountBudget)),
          facts.keyHeld.plus(amount),
        ),
      ),
    };
  }

  /** Releases a live hold of this key; false when there is none. A revoked key releases nothing. */
  async release(principal: ApiKeyPrincipal, reservationId: string): Promise<boolean> {
    const manager = this.dataSource.manager;
    const { accountId, apiKeyId } = principal;
    if (await this.holds.release(manager, accountId, apiKeyId, reservationId, this.clock.now()))
      return true;
    if (await this.accounts.isRevoked(principal)) this.refuseRevoked(principal);
    return false;
  }

  /**
   * The estimate, or the worst case of the model and token estimate (all output tokens used) at
   * provider cost, which the account's plan prices once its facts are read.
   */
  private amountToHold(request: AuthorizationRequest, now: Date): HoldEstimate {
    if ('estimated_cost' in request) return { amount: parseAmount(request.estimated_cost) };
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
    const provider = request.provider ?? deriveProvider(request.model);
    return {
      call: {
        cost: worstCase,
        tokens: request.input_tokens + request.max_output_tokens,
        freeModel: isFreeModel(provider, request.model),
      },
    };
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

/**
 * DESIGN 4 closes the list of 402 codes, and a monthly cap is a budget: its refusal answers
 * BUDGET_EXHAUSTED, its message naming the cap. It is renamed only here, after the auto top-up
 * explanation, which must not turn it into AUTO_TOPUP_PENDING: no top-up lifts a cap.
 */
function answered(outcome: AuthorizationOutcome): AnsweredAuthorization {
  if (outcome.authorized) return outcome;
  const { error_code: code } = outcome;
  return { ...outcome, error_code: code === 'MONTHLY_CAP_REACHED' ? 'BUDGET_EXHAUSTED' : code };
}

function accountNotFound(): never {
  throw new AuthorizationsException(
    AuthorizationsExceptionCode.ACCOUNT_NOT_FOUND,
    'the account of this key does not exist',
  );
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
