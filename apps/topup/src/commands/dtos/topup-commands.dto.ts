import { z } from 'zod';

const accountId = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 letters, digits and _ . : -');
const url = z.string().min(1).max(2048);

export const createCheckoutSchema = z.object({
  account_id: accountId,
  amount_paid: z.string().optional(),
  pack: z.string().optional(),
  success_url: url.optional(),
  cancel_url: url.optional(),
  dry_run: z.boolean().optional(),
});

export const createSetupSchema = z.object({
  account_id: accountId,
  success_url: url.optional(),
  cancel_url: url.optional(),
  enable_auto_topup: z.boolean().optional(),
});

export const getAutoTopUpSchema = z.object({ account_id: accountId });

export const updateAutoTopUpSchema = z.object({
  account_id: accountId,
  enabled: z.boolean().optional(),
  amount_paid: z.string().optional(),
  trigger_below_percent: z.union([z.string(), z.number()]).optional(),
  monthly_limit: z.string().optional(),
});

export const historySchema = z.object({
  account_id: accountId,
  cursor: z.string().max(512).nullable().optional(),
  limit: z.number().int().optional(),
});
