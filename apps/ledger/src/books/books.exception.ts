import { ServiceException } from '@tally/platform';

export enum BooksExceptionCode {
  ACCOUNT_NOT_FOUND = 'ACCOUNT_NOT_FOUND',
}

/** A transaction named an account the ledger does not have. */
export class BooksException extends ServiceException<BooksExceptionCode> {}
