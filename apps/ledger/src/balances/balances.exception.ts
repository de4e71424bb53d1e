import { ServiceException } from '@tally/platform';

export enum BalancesExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  ACCOUNT_NOT_FOUND = 'ACCOUNT_NOT_FOUND',
}

export class BalancesException extends ServiceException<BalancesExceptionCode> {}
