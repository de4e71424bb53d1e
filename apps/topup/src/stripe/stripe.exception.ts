import { ServiceException } from '@tally/platform';

export enum StripeExceptionCode {
  /** A live key without TOPUP_ALLOW_LIVE: nothing is charged, every command says so. */
  LIVE_TOPUP_BLOCKED = 'LIVE_TOPUP_BLOCKED',
  /** Stripe did not answer, or refused the request: nothing was created. */
  STRIPE_UNAVAILABLE = 'STRIPE_UNAVAILABLE',
}

export class StripeException extends ServiceException<StripeExceptionCode> {}
