import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { BearerAuthentication } from '@tally/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccountsService } from '../accounts/accounts.service';
import type { ApiKeyPrincipal } from '../accounts/accounts.service';
import { AuthorizationsException, AuthorizationsExceptionCode } from './authorizations.exception';

const REALM = 'tally-ledger';

/**
 * `Authorization: Bearer <api key secret>` names the account and the key. The HTTP edge checks
 * it before the body is read (ledger.app.ts installs this on it); rate limits are per key.
 */
export function apiKeyAuthentication(
  accounts: AccountsService,
): BearerAuthentication<ApiKeyPrincipal> {
  return {
    verify: (secret) => accounts.authenticate(secret),
    keyOf: (principal) => `${principal.accountId}/${principal.apiKeyId}`,
    realm: REALM,
    message: 'a valid API key is required (Authorization: Bearer <secret>)',
  };
}

/**
 * Passes an error on, and when it refuses the key (revoked since the edge let it in, ADR 0053)
 * names the challenge as the edge's own 401 does.
 */
export function challengeRefusedKey(reply: FastifyReply): (error: unknown) => never {
  return (error) => {
    if (
      error instanceof AuthorizationsException &&
      error.code === AuthorizationsExceptionCode.UNAUTHORIZED
    )
      void reply.header('www-authenticate', `Bearer realm="${REALM}", error="invalid_token"`);
    throw error;
  };
}

/** A route of the ledger's API without a principal from the edge is refused, never served. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: unknown }>();
    if (!request.principal)
      throw new AuthorizationsException(
        AuthorizationsExceptionCode.UNAUTHORIZED,
        'a valid API key is required (Authorization: Bearer <secret>)',
      );
    return true;
  }
}
