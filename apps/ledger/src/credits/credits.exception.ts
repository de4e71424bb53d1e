import { ServiceException } from '@tally/platform';

export enum CreditsExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  INVALID_AMOUNT = 'INVALID_AMOUNT',
  /** The idempotency key already posted a different request. */
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
}

export class CreditsException extends ServiceException<CreditsExceptionCode> {}
