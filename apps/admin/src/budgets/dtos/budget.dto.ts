import { z } from 'zod';
import {
  ALERT_LEVELS,
  ONE_ROLLOVER_NAME,
  namesRolloverOnce,
  nonNegativeAmountString,
  withRolloverMaxPercent,
} from '@tally/budget-domain';

const percent = z.union([z.number(), z.string().regex(/^\d{1,3}(\.\d{1,12})?$/)]);
const instant = z.iso.datetime({ offset: true });

/** The fields of `ledger.set-budget` (DESIGN 2) a route takes; the account and key come from the path. */
export const setBudgetSchema = z
  .object({
    period: z.enum(['monthly', 'weekly', 'daily', 'none']),
    reset_day: z.number().int().min(1).max(28).optional(),
    anchor_start: instant.optional(),
    limit: nonNegativeAmountString,
    soft_limit_percent: percent.optional(),
    hard_limit: z.boolean(),
    overage_limit: nonNegativeAmountString.optional(),
    rollover_max_percent: percent.optional(),
    /** DESIGN 4's name of rollover_max_percent (ADR 0093). */
    max_rollover_percent: percent.optional(),
    prorate: z.boolean().optional(),
    expires_at: instant.optional(),
    grace_period_hours: z.number().min(0).max(8760).optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .refine(namesRolloverOnce, { message: ONE_ROLLOVER_NAME, path: ['max_rollover_percent'] })
  .transform(withRolloverMaxPercent);
export type SetBudgetRequest = z.infer<typeof setBudgetSchema>;

export const budgetStatusQuery = z
  .object({ api_key_id: z.string().min(1).max(128).optional() })
  .strict();
export type BudgetStatusQuery = z.infer<typeof budgetStatusQuery>;

const amount = z.string();
const period = z.object({ start: z.string().nullable(), end: z.string().nullable() });

export const budgetSchema = z.object({
  account_id: z.string(),
  api_key_id: z.string().nullable(),
  period: z.string(),
  reset_day: z.number().nullable(),
  anchor_start: z.string().nullable(),
  limit: amount,
  soft_limit_percent: z.number(),
  hard_limit: z.boolean(),
  overage_limit: amount,
  rollover_max_percent: z.number(),
  prorate: z.boolean(),
  expires_at: z.string().nullable(),
  grace_period_hours: z.number(),
  active: z.boolean(),
  current_period: period,
  allowance: amount,
  used: amount,
  remaining: amount,
});

export const budgetStatusSchema = z.object({
  account_id: z.string(),
  api_key_id: z.string().nullable(),
  used: amount,
  remaining: amount,
  extra_credit_remaining: amount,
  available: amount,
  available_percent: z.number().int(),
  alert_level: z.enum(ALERT_LEVELS),
  recommended_strategy: z.string(),
  days_remaining: z.number().nullable(),
  projected_period_cost: amount,
  over_soft_limit: z.boolean(),
  over_hard_limit: z.boolean(),
  overage: amount,
  period,
});
