import { ServiceException } from '@tally/platform';

export enum WebhooksExceptionCode {
  /** Missing, malformed, stale or wrong Stripe-Signature (or no endpoint secret to check it with). */
  BAD_SIGNATURE = 'BAD_SIGNATURE',
}

export class WebhooksException extends ServiceException<WebhooksExceptionCode> {}
