import type { HttpStatusOf } from '@tally/platform';
import type { AccountsExceptionCode } from './accounts/accounts.exception';
import type { AuthorizationsExceptionCode } from './authorizations/authorizations.exception';
import type { BalancesExceptionCode } from './balances/balances.exception';
import type { BooksExceptionCode } from './books/books.exception';
import type { BudgetsExceptionCode } from './budgets/budgets.exception';
import type { CreditsExceptionCode } from './credits/credits.exception';

/** Every code a ledger feature raises; the compiler checks the table below names each. */
type LedgerExceptionCode =
  | `${AccountsExceptionCode}`
  | `${AuthorizationsExceptionCode}`
  | `${BalancesExceptionCode}`
  | `${BooksExceptionCode}`
  | `${BudgetsExceptionCode}`
  | `${CreditsExceptionCode}`;

/** The HTTP status of each refusal of the ledger (its command replies carry the code alone). */
export const LEDGER_HTTP_STATUS: HttpStatusOf<LedgerExceptionCode> = {
  UNAUTHORIZED: 401,
  VALIDATION_FAILED: 422,
  INVALID_AMOUNT: 422,
  UNKNOWN_MODEL: 422,
  ACCOUNT_NOT_FOUND: 404,
  RESERVATION_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  API_KEY_CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
};
