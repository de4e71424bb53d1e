export enum LedgerExceptionCode {
  UNAUTHORIZED = 'UNAUTHORIZED',
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  INVALID_AMOUNT = 'INVALID_AMOUNT',
  ACCOUNT_NOT_FOUND = 'ACCOUNT_NOT_FOUND',
  RESERVATION_NOT_FOUND = 'RESERVATION_NOT_FOUND',
}

/** A refusal of the ledger's API, mapped to an HTTP status by LedgerExceptionFilter. */
export class LedgerException extends Error {
  constructor(
    readonly code: LedgerExceptionCode,
    message: string,
  ) {
    super(message);
  }
}
