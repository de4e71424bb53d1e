import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import {
  FREE_PLAN,
  ONE_ROLLOVER_NAME,
  isDecimalString,
  namesRolloverOnce,
  plainText,
  withRolloverMaxPercent,
} from '@tally/budget-domain';
import { answerCommand } from '@tally/messaging';
import { BudgetsService } from '../budgets/budgets.service';
import { AccountsService } from '../accounts/accounts.service';
import type { ApiKey } from '../accounts/accounts.service';
import { BalancesService } from '../balances/balances.service';
import { CreditsService } from '../credits/credits.service';
import { PlansService } from '../plans/plans.service';
import { ReconciliationService } from '../reconciliation/reconciliation.service';

/** Account ids as usage may open them (a usage event's subject); create-account is stricter. */
const accountId = plainText(256);
const apiKeyId = plainText(64);
const decimalText = z.string().refine(isDecimalString, { message: 'must be a decimal string' });
const percent = z.union([decimalText, z.number().finite()]);

const createAccount = z.object({
  account_id: z.string(),
  name: plainText(200),
  currency: z.string().length(3).default('USD'),
  tier: plainText(64).nullable().optional(),
});
const createApiKey = z.object({
  account_id: accountId,
  name: plainText(200),
  // The caller keeps the secret; only its hash and display prefix come over Kafka.
  secret_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 of the secret'),
  prefix: plainText(16),
});
const revokeApiKey = z.object({ account_id: accountId, api_key_id: apiKeyId });
const grantCredit = z.object({
  account_id: accountId,
  amount: z.unknown(),
  kind: z.enum(['grant', 'bonus', 'refund']),
  reason: plainText(500),
  idempotency_key: plainText(200),
});
const setBudget = z
  .object({
    account_id: accountId,
    api_key_id: apiKeyId.nullable().optional(),
    period: z.enum(['monthly', 'weekly', 'daily', 'none']),
    reset_day: z.number().int().optional(),
    anchor_start: z.string().datetime({ offset: true }).optional(),
    limit: decimalText,
    soft_limit_percent: percent.optional(),
    hard_limit: z.boolean(),
    overage_limit: decimalText.optional(),
    rollover_max_percent: percent.optional(),
    max_rollover_percent: percent.optional(),
    prorate: z.boolean().optional(),
    expires_at: z.string().datetime({ offset: true }).optional(),
    grace_period_hours: z.number().min(0).max(100_000).optional(),
    active: z.boolean().optional(),
  })
  .refine(namesRolloverOnce, { message: ONE_ROLLOVER_NAME, path: ['max_rollover_percent'] })
  .transform(withRolloverMaxPercent);
const budgetStatus = z.object({
  account_id: accountId,
  api_key_id: apiKeyId.nullable().optional(),
});

/**
 * The ledger's commands over Kafka request-reply (DESIGN 2). Replies are snake_case; a
 * refusal replies `{ error_code, message }` instead of failing the request.
 */
@Controller()
export class LedgerCommandsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly credits: CreditsService,
    private readonly balances: BalancesService,
    private readonly reconciliation: ReconciliationService,
    private readonly budgets: BudgetsService,
    private readonly plans: PlansService,
  ) {}

  @MessagePattern('ledger.create-account')
  createAccount(@Payload() payload: unknown) {
    return answerCommand(createAccount, payload, async (request) => {
      const { account, created } = await this.accounts.createAccount({
        accountId: request.account_id,
        name: request.name,
        currency: request.currency,
        tier: request.tier ?? null,
      });
      // "An account has a plan (tier; default free)": a tier naming a plan puts it there, and an
      // account created without one is on free, as every account without a plan is (ADR 0044).
      if (account.tier) await this.plans.assignTierPlan(account.account_id, account.tier);
      return { ...account, tier: account.tier ?? FREE_PLAN.name, created };
    });
  }

  @MessagePattern('ledger.create-api-key')
  createApiKey(@Payload() payload: unknown) {
    return answerCommand(createApiKey, payload, async (request) => {
      const key = await this.accounts.createApiKey({
        accountId: request.account_id,
        name: request.name,
        secretSha256: request.secret_sha256,
        prefix: request.prefix,
      });
      return apiKeyReply(key);
    });
  }

  @MessagePattern('ledger.revoke-api-key')
  revokeApiKey(@Payload() payload: unknown) {
    return answerCommand(revokeApiKey, payload, async (request) =>
      apiKeyReply(await this.accounts.revokeApiKey(request.account_id, request.api_key_id)),
    );
  }

  @MessagePattern('ledger.grant-credit')
  grantCredit(@Payload() payload: unknown) {
    return answerCommand(grantCredit, payload, (request) =>
      this.credits.grant({
        accountId: request.account_id,
        amount: request.amount,
        kind: request.kind,
        reason: request.reason,
        idempotencyKey: request.idempotency_key,
      }),
    );
  }

  @MessagePattern('ledger.budget-status')
  budgetStatus(@Payload() payload: unknown) {
    return answerCommand(budgetStatus, payload, (request) =>
      this.balances.status(request.account_id, request.api_key_id ?? null),
    );
  }

  @MessagePattern('ledger.reconcile')
  reconcile() {
    return this.reconciliation.reconcile();
  }

  @MessagePattern('ledger.set-budget')
  setBudget(@Payload() payload: unknown) {
    return answerCommand(setBudget, payload, (request) => this.budgets.setBudget(request));
  }
}

function apiKeyReply(key: ApiKey) {
  return {
    api_key_id: key.api_key_id,
    account_id: key.account_id,
    name: key.name,
    prefix: key.prefix,
    created_at: key.created_at.toISOString(),
    revoked_at: key.revoked_at?.toISOString() ?? null,
  };
}
