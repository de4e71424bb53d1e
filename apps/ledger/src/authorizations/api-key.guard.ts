import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccountsService } from '../accounts/accounts.service';
import type { ApiKeyPrincipal } from '../accounts/accounts.service';
import { AuthorizationsException, AuthorizationsExceptionCode } from './authorizations.exception';

export type AuthenticatedRequest = FastifyRequest & { principal: ApiKeyPrincipal };

/** `Authorization: Bearer <api key secret>` names the account and the key; 401 otherwise. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly accounts: AccountsService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, secret] = (request.headers.authorization ?? '').split(' ');
    const principal =
      scheme === 'Bearer' && secret ? await this.accounts.authenticate(secret) : null;
    if (!principal)
      throw new AuthorizationsException(
        AuthorizationsExceptionCode.UNAUTHORIZED,
        'a valid API key is required (Authorization: Bearer <secret>)',
      );
    request.principal = principal;
    return true;
  }
}
