import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { BearerAuthentication } from '@tally/platform';
import type { FastifyRequest } from 'fastify';
import { AccountsService } from '../accounts/accounts.service';
import type { ApiKeyPrincipal } from '../accounts/accounts.service';
import { AuthorizationsException, AuthorizationsExceptionCode } from './authorizations.exception';

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
    realm: 'tally-ledger',
    message: 'a valid API key is required (Authorization: Bearer <secret>)',
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
