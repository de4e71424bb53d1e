import { ServiceException } from '@tally/platform';

export enum CreditsExceptionCode {
  INVALID_AMOUNT = 'INVALID_AMOUNT',
  /** The idempotency key was used for another request (another amount, kind or reason). */
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
}

export class CreditsException extends ServiceException<CreditsExceptionCode> {}
