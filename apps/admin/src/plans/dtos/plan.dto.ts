import { z } from 'zod';
import { monthlyCapTerms, planName, planTerms } from '@tally/budget-domain';

/** As the ledger takes plan names (`ledger.set-plan`). */
export const planNameSchema = planName;

/** The fields of `ledger.set-plan` (DESIGN 4, Plans); the name comes from the path. */
export const setPlanSchema = planTerms;
export type SetPlanRequest = z.infer<typeof setPlanSchema>;

/** `PUT /v1/plans`: the plan's name in the body, beside its terms. */
export const namedPlanSchema = planTerms.extend({ name: planNameSchema });
export type NamedPlanRequest = z.infer<typeof namedPlanSchema>;

/** The field of `ledger.assign-plan`; the account comes from the path. */
export const assignPlanSchema = z.object({ plan: planNameSchema }).strict();
export type AssignPlanRequest = z.infer<typeof assignPlanSchema>;

const amount = z.string().describe('decimal string');

export const planSchema = z.object({
  name: z.string(),
  markup_percent_paid: z.string(),
  markup_percent_free: z.string(),
  volume_discount_tiers: z.array(z.object({ from_tokens: z.number(), percent: z.string() })),
  included_allowance: amount.nullable(),
  monthly_cap: amount.nullable(),
  updated_at: z.string(),
});
export type PlanView = z.infer<typeof planSchema>;

export const planPageSchema = z.object({
  items: z.array(planSchema),
  next_cursor: z.null(),
});

export const planAssignmentSchema = z.object({
  account_id: z.string(),
  plan: planSchema,
  assigned_at: z.string(),
  budget_created: z
    .boolean()
    .describe("the plan's included allowance became the account's monthly budget"),
});
export type PlanAssignment = z.infer<typeof planAssignmentSchema>;

/** The field of `ledger.set-monthly-cap`; the account comes from the path. */
export const setMonthlyCapSchema = monthlyCapTerms;
export type SetMonthlyCapRequest = z.infer<typeof setMonthlyCapSchema>;

export const monthlyCapSchema = z.object({
  account_id: z.string(),
  plan: z.string().nullable().describe("the account's plan"),
  monthly_cap: amount.nullable().describe('the cap in force this month; null: none'),
  cap_source: z
    .enum(['account', 'plan'])
    .nullable()
    .describe("the account's own cap, else its plan's"),
  month: z.string().describe('the calendar month counted, YYYY-MM (UTC)'),
  tokens: z.number().describe("the month's tokens"),
  charged: amount.describe("what the month's usage was charged"),
  remaining: amount.nullable().describe('what the cap leaves this month; null without a cap'),
});
