import { z } from 'zod';
import { nonNegativeAmountString, plainText } from '@tally/budget-domain';
import { cursorQuery, limitQuery, limitQueryUpTo } from '../../http/pagination';

const returnUrl = z
  .string()
  .max(2048)
  .refine((text) => /^https?:\/\//i.test(text) && URL.canParse(text), {
    message: 'must be an http(s) URL',
  });

/** `topup.create-checkout` (DESIGN 2): an amount in the pack's currency, or a pack by name. */
export const checkoutSchema = z
  .object({
    amount_paid: nonNegativeAmountString.optional(),
    pack: plainText(64).optional(),
    success_url: returnUrl.optional(),
    cancel_url: returnUrl.optional(),
    dry_run: z.boolean().optional(),
  })
  .strict()
  .refine((checkout) => (checkout.amount_paid === undefined) !== (checkout.pack === undefined), {
    message: 'give amount_paid or pack, not both',
    path: ['amount_paid'],
  });
export type CheckoutRequest = z.infer<typeof checkoutSchema>;

export const setupSchema = z
  .object({
    success_url: returnUrl.optional(),
    cancel_url: returnUrl.optional(),
    enable_auto_topup: z.boolean().optional(),
  })
  .strict();
export type SetupRequest = z.infer<typeof setupSchema>;

export const autoTopUpSchema = z
  .object({
    enabled: z.boolean().optional(),
    amount_paid: nonNegativeAmountString.optional(),
    trigger_below_percent: z
      .union([z.number().min(0).max(100), z.string().regex(/^\d{1,3}(\.\d{1,12})?$/)])
      .optional(),
    monthly_limit: nonNegativeAmountString.optional(),
  })
  .strict()
  .refine((settings) => Object.keys(settings).length > 0, { message: 'nothing to change' });
export type AutoTopUpRequest = z.infer<typeof autoTopUpSchema>;

/** Topup answers at most 200 history items a page (topup.history). */
export const historyQuery = z
  .object({
    cursor: z.string().min(1).max(512).optional(),
    limit: limitQueryUpTo(200),
  })
  .strict();
export type HistoryQuery = z.infer<typeof historyQuery>;

export const paymentsQuery = z.object({ cursor: cursorQuery, limit: limitQuery }).strict();
export type PaymentsQuery = z.infer<typeof paymentsQuery>;

const amount = z.string();

// A dry run makes no Stripe session: its URL and id are null.
export const checkoutAnswerSchema = z.object({
  checkout_url: z.string().nullable(),
  session_id: z.string().nullable(),
  credit_amount: amount,
  paid_amount: amount,
  paid_currency: z.string(),
  dry_run: z.boolean(),
});

export const setupAnswerSchema = z.object({
  checkout_url: z.string().nullable(),
  session_id: z.string().nullable(),
  dry_run: z.boolean().optional().describe('true when no Stripe session was made'),
});

export const autoTopUpAnswerSchema = z.object({
  enabled: z.boolean(),
  amount_paid: amount,
  paid_currency: z.string(),
  credit_amount: amount,
  trigger_below_percent: z.number(),
  monthly_limit: amount,
  customer: z.string().nullable().describe('masked'),
  payment_method: z.string().nullable().describe('masked'),
  state: z.record(z.string(), z.unknown()),
});

export const historyPageSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['purchase', 'auto_purchase', 'failed', 'refund']),
      trigger: z.string(),
      credit_amount: amount,
      paid_amount: amount,
      paid_currency: z.string(),
      stripe_ref: z.string().nullable().describe('masked'),
      status: z.string(),
      at: z.string(),
    }),
  ),
  next_cursor: z.string().nullable(),
});

export const paymentSchema = z.object({
  payment_id: z.string(),
  kind: z.enum(['credit_purchased', 'credit_failed', 'credit_refunded']),
  trigger: z.string(),
  credit_amount: amount,
  paid_amount: amount,
  paid_currency: z.string(),
  stripe_ref: z.string().nullable().describe('masked'),
  restores_refund: z
    .string()
    .nullable()
    .describe(
      'masked; on a credit_purchased that gives back the credit of a refund that failed or was canceled: that refund (no payment was made)',
    ),
  at: z.string(),
});
export type PaymentView = z.infer<typeof paymentSchema>;

export const paymentPageSchema = z.object({
  items: z.array(paymentSchema),
  next_cursor: z.string().nullable(),
});
