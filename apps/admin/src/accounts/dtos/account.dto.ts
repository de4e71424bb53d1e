import { z } from 'zod';
import { ALERT_LEVELS, AUTO_TOPUP_PAUSE_REASONS, plainText } from '@tally/budget-domain';
import { cursorQuery, limitQuery } from '../../http/pagination';

/** As the ledger takes account ids. */
export const accountIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 letters, digits, and _ . : -');

export const createAccountSchema = z
  .object({
    account_id: accountIdSchema,
    name: plainText(200),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an upper-case ISO 4217 code')
      .default('USD'),
    tier: plainText(64).nullable().optional(),
  })
  .strict();
export type CreateAccountRequest = z.infer<typeof createAccountSchema>;

export const listAccountsQuery = z
  .object({
    cursor: cursorQuery,
    limit: limitQuery,
    alert_level: z.enum(ALERT_LEVELS).optional(),
  })
  .strict();
export type ListAccountsQuery = z.infer<typeof listAccountsQuery>;

const amount = z.string().describe('decimal string');
const instant = z.string().describe('ISO-8601 UTC');

export const balanceSchema = z.object({
  period: z.object({ start: instant.nullable(), end: instant.nullable() }),
  allowance: amount,
  used: amount,
  remaining: amount,
  extra_credit_remaining: amount,
  available: amount,
  available_percent: z.number().int(),
  alert_level: z.enum(ALERT_LEVELS),
  over_soft_limit: z.boolean(),
  over_hard_limit: z.boolean(),
  overage: amount,
  at: instant,
});

export const accountSchema = z.object({
  account_id: z.string(),
  name: z.string().nullable(),
  currency: z.string(),
  tier: z.string().nullable(),
  status: z.string(),
  created_at: instant,
  balance: balanceSchema.nullable().describe('the latest ledger.balance-changed; null before any'),
  alert_level: z
    .enum(ALERT_LEVELS)
    .nullable()
    .describe("the latest balance's alert level, as in `balance`; null before any"),
  auto_topup: z
    .object({
      enabled: z.boolean(),
      state: z.string(),
      pending_since: instant.nullable(),
      cooldown_until: instant.nullable(),
      month_auto_paid: amount,
      monthly_limit: amount,
      paid_currency: z.string(),
      pause_reason: z
        .enum(AUTO_TOPUP_PAUSE_REASONS)
        .nullable()
        .describe(
          'why it is paused (ADR 0157); null when not paused, or paused before admin kept the reason',
        ),
      at: instant,
    })
    .nullable()
    .describe('the latest topup.status-changed; null before any'),
});
export type AccountView = z.infer<typeof accountSchema>;

export const accountPageSchema = z.object({
  items: z.array(accountSchema),
  next_cursor: z.string().nullable(),
});
