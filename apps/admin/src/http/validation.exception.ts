import { ServiceException } from '@tally/platform';

export enum ValidationExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
}

/** A body, query or path value that does not fit its route's schema (422, never clamped). */
export class ValidationException extends ServiceException<ValidationExceptionCode> {}
