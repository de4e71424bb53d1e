import { ServiceException } from '@tally/platform';

export enum AccountsExceptionCode {
  ACCOUNT_NOT_FOUND = 'ACCOUNT_NOT_FOUND',
}

export class AccountsException extends ServiceException<AccountsExceptionCode> {}
