import { z } from 'zod';
import { isDecimalString, nonNegativeAmountString, plainText } from '@tally/budget-domain';

/** As the ledger takes plan names (`ledger.set-plan`). */
export const planNameSchema = plainText(64);

const percent = z
  .union([
    z.string().refine(isDecimalString, { message: 'must be a decimal string' }),
    z.number().finite(),
  ])
  .describe('a decimal string (or a number), e.g. "10" for 10 %');

/** The fields of `ledger.set-plan` (DESIGN 4, Plans); the name comes from the path. */
export const setPlanSchema = z
  .object({
    markup_percent_paid: percent.optional(),
    markup_percent_free: percent.optional(),
    volume_discount_tiers: z
      .array(
        z
          .object({
            from_tokens: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
            percent,
          })
          .strict(),
      )
      .max(100)
      .optional(),
    included_allowance: nonNegativeAmountString.nullable().optional(),
    monthly_cap: nonNegativeAmountString.nullable().optional(),
  })
  .strict();
export type SetPlanRequest = z.infer<typeof setPlanSchema>;

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
