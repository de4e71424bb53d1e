import { z } from 'zod';
import { couponCode, couponTerms } from '@tally/budget-domain';

/** The fields of `ledger.create-coupon` (DESIGN 4, Plans). */
export const createCouponSchema = couponTerms;
export type CreateCouponRequest = z.infer<typeof createCouponSchema>;

/** The field of `ledger.redeem-coupon`; the account comes from the path. */
export const redeemCouponSchema = z.object({ code: couponCode }).strict();
export type RedeemCouponRequest = z.infer<typeof redeemCouponSchema>;

const amount = z.string().describe('decimal string');

export const couponSchema = z.object({
  code: z.string(),
  kind: z.enum(['credit', 'percent']),
  amount: amount.nullable(),
  percent: z.string().nullable(),
  duration_days: z.number().nullable(),
  expires_at: z.string().nullable(),
  max_redemptions: z.number().nullable(),
  redemptions: z.number(),
  created_at: z.string(),
});
export type CouponView = z.infer<typeof couponSchema>;

export const redemptionSchema = z.object({
  account_id: z.string(),
  code: z.string(),
  kind: z.enum(['credit', 'percent']),
  amount: amount.nullable().describe('the credit posted, for a credit coupon'),
  percent: z.string().nullable(),
  discount_ends_at: z.string().nullable(),
  transaction_id: z.string().nullable().describe("the credit's transaction"),
  redeemed_at: z.string(),
});
