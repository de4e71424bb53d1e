import { ServiceException } from '@tally/platform';

export enum AuthorizationsExceptionCode {
  UNAUTHORIZED = 'UNAUTHORIZED',
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  ACCOUNT_NOT_FOUND = 'ACCOUNT_NOT_FOUND',
  RESERVATION_NOT_FOUND = 'RESERVATION_NOT_FOUND',
  UNKNOWN_MODEL = 'UNKNOWN_MODEL',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
}

export class AuthorizationsException extends ServiceException<AuthorizationsExceptionCode> {}
