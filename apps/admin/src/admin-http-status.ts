import type { HttpStatusOf } from '@tally/platform';
import type { AccessExceptionCode } from './access/access.exception';
import type { AccountsExceptionCode } from './accounts/accounts.exception';
import type { AlertsExceptionCode } from './alerts/alerts.exception';
import type { ApiKeysExceptionCode } from './api-keys/api-keys.exception';
import { refusalStatus } from './commands/commands.exception';
import type { CommandsExceptionCode } from './commands/commands.exception';
import type { CreditsExceptionCode } from './credits/credits.exception';
import type { ValidationExceptionCode } from './http/validation.exception';
import type { TokensExceptionCode } from './tokens/tokens.exception';

/** Every code an admin feature raises; the compiler checks the table below names each. */
type AdminExceptionCode =
  | `${AccessExceptionCode}`
  | `${AccountsExceptionCode}`
  | `${AlertsExceptionCode}`
  | `${ApiKeysExceptionCode}`
  | `${CommandsExceptionCode}`
  | `${CreditsExceptionCode}`
  | `${TokensExceptionCode}`
  | `${ValidationExceptionCode}`;

const ADMIN_HTTP_STATUS: HttpStatusOf<AdminExceptionCode> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ACCOUNT_NOT_FOUND: 404,
  API_KEY_NOT_FOUND: 404,
  CHANNEL_NOT_FOUND: 404,
  IDEMPOTENCY_KEY_REUSED: 409,
  INVALID_AMOUNT: 422,
  TOKEN_NOT_FOUND: 404,
  VALIDATION_FAILED: 422,
  UPSTREAM_FAILED: 502,
  UPSTREAM_TIMEOUT: 504,
};

/**
 * The HTTP status of a refusal: admin's own codes from the table, the codes the ledger, topup
 * and alerting reply by `refusalStatus` (ADR 0036).
 */
export function adminHttpStatus(code: string): number {
  return (ADMIN_HTTP_STATUS as Readonly<Record<string, number>>)[code] ?? refusalStatus(code);
}
