import { ServiceException } from '@tally/platform';

export enum AccessExceptionCode {
  UNAUTHORIZED = 'UNAUTHORIZED',
  FORBIDDEN = 'FORBIDDEN',
  /** Another tenant's account, as if it did not exist (a tenant never learns which ids are taken). */
  ACCOUNT_NOT_FOUND = 'ACCOUNT_NOT_FOUND',
}

export class AccessException extends ServiceException<AccessExceptionCode> {}
