import { ServiceException } from '@tally/platform';

export enum CreditsExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  INVALID_AMOUNT = 'INVALID_AMOUNT',
}

export class CreditsException extends ServiceException<CreditsExceptionCode> {}
