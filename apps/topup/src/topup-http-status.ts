import type { HttpStatusOf } from '@tally/platform';
import type { AutoTopUpExceptionCode } from './auto-topup/auto-topup.exception';
import type { CheckoutExceptionCode } from './checkout/checkout.exception';
import type { EntriesExceptionCode } from './entries/entries.exception';
import type { StripeExceptionCode } from './stripe/stripe.exception';
import type { WebhooksExceptionCode } from './webhooks/webhooks.exception';

/** Every code a top-up feature raises; the compiler checks the table below names each. */
type TopUpExceptionCode =
  | `${AutoTopUpExceptionCode}`
  | `${CheckoutExceptionCode}`
  | `${EntriesExceptionCode}`
  | `${StripeExceptionCode}`
  | `${WebhooksExceptionCode}`;

/**
 * The HTTP status of each refusal (the webhook is top-up's only HTTP route; commands reply
 * with the code alone). A webhook Stripe could not be asked about answers 503, so Stripe
 * delivers it again later.
 */
export const TOPUP_HTTP_STATUS: HttpStatusOf<TopUpExceptionCode> = {
  VALIDATION_FAILED: 422,
  AUTO_TOPUP_NO_PAYMENT_METHOD: 409,
  LIVE_TOPUP_BLOCKED: 403,
  STRIPE_UNAVAILABLE: 503,
  BAD_SIGNATURE: 400,
};
