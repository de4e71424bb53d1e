import { z } from 'zod';
import { wholeNumberQuery } from '../../http/pagination';

const days = wholeNumberQuery('days', 1, 366, 30);

export const summaryQuery = z.object({ days }).strict();
export type SummaryQuery = z.infer<typeof summaryQuery>;

export const topSpendersQuery = z
  .object({
    days,
    limit: wholeNumberQuery('limit', 1, 100, 10),
  })
  .strict();
export type TopSpendersQuery = z.infer<typeof topSpendersQuery>;

export const distributionQuery = summaryQuery;
export type DistributionQuery = SummaryQuery;

const amount = z.string();
const usage = z.object({ cost: amount, tokens: z.number(), requests: z.number() });
const levels = z.object({
  GREEN: z.number(),
  YELLOW: z.number(),
  ORANGE: z.number(),
  RED: z.number(),
  CRITICAL: z.number(),
});

export const summarySchema = z.object({
  as_of: z.string(),
  days: z.number(),
  from: z.string().describe('first UTC day of the window (the window ends today)'),
  accounts: z.number(),
  alert_levels: levels.describe('accounts by the alert level of their latest balance'),
  extra_credit_remaining: amount.describe('prepaid credit of all accounts'),
  today: usage,
  window: usage,
  daily: z.array(usage.extend({ day: z.string() })),
});

export const topSpendersSchema = z.object({
  items: z.array(z.object({ account_id: z.string(), name: z.string().nullable(), spend: amount })),
  next_cursor: z.null(),
});

export const distributionSchema = z.object({
  days: z.number(),
  from: z.string(),
  by_service: z.array(usage.extend({ service: z.string() })),
  by_provider: z.array(usage.extend({ provider: z.string() })),
  by_model: z.array(usage.extend({ provider: z.string(), model: z.string() })),
  by_alert_level: levels,
  spend_buckets: z
    .array(z.object({ min: amount, max: amount.nullable(), accounts: z.number() }))
    .describe('accounts by their spend in the window; min inclusive, max exclusive'),
});
