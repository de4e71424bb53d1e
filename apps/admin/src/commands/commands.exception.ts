import { ServiceException } from '@tally/platform';

export enum CommandsExceptionCode {
  /** The service that answers the command did not reply in time. */
  UPSTREAM_TIMEOUT = 'UPSTREAM_TIMEOUT',
  /** The service replied with a fault (its INTERNAL_ERROR); its error id is in the message. */
  UPSTREAM_FAILED = 'UPSTREAM_FAILED',
}

export class CommandsException extends ServiceException<CommandsExceptionCode> {}

/**
 * A refusal the ledger, topup or alerting replied, passed on with its own code: admin does not
 * own these codes, so their HTTP status comes from `refusalStatus`.
 */
export class CommandRefusal extends ServiceException {}

/**
 * The HTTP status of a refusal code another service replied (ADR 0036): a missing object is
 * 404, a state that forbids the request is 409, a dependency of that service being down 503,
 * anything else is a problem with the request itself, 422. Money refusals are not 402 here: 402 is the ledger's answer to an authorization
 * (the caller cannot spend), while admin's callers are operators changing settings.
 */
export function refusalStatus(code: string): number {
  if (code.endsWith('_NOT_FOUND')) return 404;
  // The service is up but what it depends on is not (STRIPE_UNAVAILABLE): try again later.
  if (code.endsWith('_UNAVAILABLE')) return 503;
  if (CONFLICTS.has(code) || code.endsWith('_CONFLICT')) return 409;
  return 422;
}

const CONFLICTS = new Set([
  'IDEMPOTENCY_KEY_REUSED',
  'AUTO_TOPUP_NO_PAYMENT_METHOD',
  'LIVE_TOPUP_BLOCKED',
  'ACCOUNT_INACTIVE',
  'TOO_MANY_CHANNELS',
  'EMAIL_NOT_CONFIGURED',
  // The coupon's state, not the request, refuses these: it is spent for the account or for all.
  'COUPON_ALREADY_REDEEMED',
  'COUPON_EXHAUSTED',
  'COUPON_EXPIRED',
]);
