import { ServiceException } from '@tally/platform';

export enum AccountsExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  ACCOUNT_NOT_FOUND = 'ACCOUNT_NOT_FOUND',
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
  /** The secret's hash belongs to a key of another account: the caller must make a new secret. */
  API_KEY_CONFLICT = 'API_KEY_CONFLICT',
}

export class AccountsException extends ServiceException<AccountsExceptionCode> {}
