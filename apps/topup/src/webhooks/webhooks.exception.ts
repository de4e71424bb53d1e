import { ServiceException } from '@tally/platform';

export enum WebhooksExceptionCode {
  /** Missing, malformed, stale or wrong Stripe-Signature (or no endpoint secret to check it with). */
  BAD_SIGNATURE = 'BAD_SIGNATURE',
  /** Signed, but not an event Stripe sends (no id, no object, a NUL byte PostgreSQL cannot store). */
  VALIDATION_FAILED = 'VALIDATION_FAILED',
}

export class WebhooksException extends ServiceException<WebhooksExceptionCode> {}
