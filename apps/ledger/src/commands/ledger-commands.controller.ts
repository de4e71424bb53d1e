import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { describeIssue, isDecimalString } from '@tally/budget-domain';
import { BudgetsService } from '../budgets/budgets.service';
import { AccountsService } from '../accounts/accounts.service';
import { BalancesService } from '../balances/balances.service';
import { CreditsService } from '../credits/credits.service';
import { LedgerException, LedgerExceptionCode } from '../ledger.exception';
import { ReconciliationService } from '../reconciliation/reconciliation.service';

const createAccount = z.object({
  account_id: z.string(),
  name: z.string().min(1),
  currency: z.string().length(3).default('USD'),
  tier: z.string().nullable().optional(),
});
const createApiKey = z.object({ account_id: z.string(), name: z.string().min(1) });
const grantCredit = z.object({
  account_id: z.string(),
  amount: z.unknown(),
  kind: z.enum(['grant', 'bonus', 'refund']),
  reason: z.string().min(1),
  idempotency_key: z.string().min(1),
});
const percent = z.union([z.string(), z.number()]);
const setBudget = z.object({
  account_id: z.string(),
  api_key_id: z.string().nullable().optional(),
  period: z.enum(['monthly', 'weekly', 'daily', 'none']),
  reset_day: z.number().int().optional(),
  anchor_start: z.string().datetime({ offset: true }).optional(),
  limit: z.string().refine(isDecimalString, { message: 'must be a decimal string' }),
  soft_limit_percent: percent.optional(),
  hard_limit: z.boolean(),
  overage_limit: z
    .string()
    .refine(isDecimalString, { message: 'must be a decimal string' })
    .optional(),
  rollover_max_percent: percent.optional(),
  prorate: z.boolean().optional(),
  expires_at: z.string().datetime({ offset: true }).optional(),
  grace_period_hours: z.number().min(0).optional(),
  active: z.boolean().optional(),
});
const budgetStatus = z.object({
  account_id: z.string(),
  api_key_id: z.string().nullable().optional(),
});

export type CommandRefusal = { error_code: string; message: string };

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
  ) {}

  @MessagePattern('ledger.create-account')
  createAccount(@Payload() payload: unknown) {
    return answer(createAccount, payload, (request) =>
      this.accounts.createAccount({
        accountId: request.account_id,
        name: request.name,
        currency: request.currency,
        tier: request.tier ?? null,
      }),
    );
  }

  @MessagePattern('ledger.create-api-key')
  createApiKey(@Payload() payload: unknown) {
    return answer(createApiKey, payload, (request) =>
      this.accounts.createApiKey(request.account_id, request.name),
    );
  }

  @MessagePattern('ledger.grant-credit')
  grantCredit(@Payload() payload: unknown) {
    return answer(grantCredit, payload, async (request) => {
      const posted = await this.credits.grant({
        accountId: request.account_id,
        amount: request.amount,
        kind: request.kind,
        reason: request.reason,
        idempotencyKey: request.idempotency_key,
      });
      return {
        ...posted,
        account_id: request.account_id,
        kind: request.kind,
        amount: request.amount,
      };
    });
  }

  @MessagePattern('ledger.budget-status')
  budgetStatus(@Payload() payload: unknown) {
    return answer(budgetStatus, payload, (request) =>
      this.balances.status(request.account_id, request.api_key_id ?? null),
    );
  }

  @MessagePattern('ledger.reconcile')
  reconcile() {
    return this.reconciliation.reconcile();
  }

  @MessagePattern('ledger.set-budget')
  setBudget(@Payload() payload: unknown) {
    return answer(setBudget, payload, (request) => this.budgets.setBudget(request));
  }
}

async function answer<S extends z.ZodType, R>(
  schema: S,
  payload: unknown,
  handle: (request: z.infer<S>) => Promise<R>,
): Promise<R | CommandRefusal> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success)
    return {
      error_code: LedgerExceptionCode.VALIDATION_FAILED,
      message: describeIssue(parsed.error),
    };
  try {
    return await handle(parsed.data);
  } catch (error) {
    if (error instanceof LedgerException) return { error_code: error.code, message: error.message };
    throw error;
  }
}
