import { ServiceException } from '@tally/platform';

export enum AccountsExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  ACCOUNT_NOT_FOUND = 'ACCOUNT_NOT_FOUND',
}

export class AccountsException extends ServiceException<AccountsExceptionCode> {}
