import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { isDecimalString } from '../money/amount';
import { nonNegativeAmountString, plainText } from '../events/wire';

/**
 * The fields of the plan and coupon commands (DESIGN 2 and 4, Plans), as the ledger takes
 * them and admin checks them before it sends them.
 */

export const planName = plainText(64);
export const couponCode = plainText(64);

/** A percent: a decimal string, or a JSON number. */
const percent = z
  .union([
    z.string().refine(isDecimalString, { message: 'must be a decimal string' }),
    z.number().finite(),
  ])
  .describe('a decimal string (or a number), e.g. "10" for 10 %');

/** What `ledger.set-plan` takes besides the plan's name. */
export const planTerms = z
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

/** What `ledger.set-monthly-cap` takes besides the account (ADR 0044). */
export const monthlyCapTerms = z
  .object({
    monthly_cap: nonNegativeAmountString.refine((value) => new Decimal(value).greaterThan(0), {
      message: 'must be greater than 0 (ledger.remove-monthly-cap removes the cap)',
    }),
  })
  .strict();

/** What `ledger.create-coupon` takes. */
export const couponTerms = z
  .object({
    code: couponCode,
    kind: z.enum(['credit', 'percent']),
    amount: nonNegativeAmountString.optional().describe('the credit of a credit coupon'),
    percent: percent.optional().describe('the discount of a percent coupon'),
    duration_days: z.number().int().optional().describe('how long a percent coupon discounts'),
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
    max_redemptions: z.number().int().nullable().optional(),
  })
  .strict();
