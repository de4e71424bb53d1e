import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AccessException, AccessExceptionCode } from './access.exception';
import { ADMIN_ONLY } from './principal';
import type { PrincipalRequest } from './principal';

/** Routes whose `:id` is an account id: a tenant may use them for its own account only. */
const ACCOUNT_ROUTE = '/v1/accounts/:id';

/**
 * Who may do what (DESIGN 5): every `/v1` route needs a principal (the edge authenticated it
 * before the body was read); a tenant reaching into another account finds nothing there (404),
 * and a tenant on an admin route is refused (403). Routes outside `/v1` (dashboard, docs,
 * health, metrics) are public.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<PrincipalRequest>();
    const route = request.routeOptions.url ?? '';
    if (!route.startsWith('/v1/')) return true;
    const principal = request.principal;
    if (!principal) {
      throw new AccessException(
        AccessExceptionCode.UNAUTHORIZED,
        'a valid bearer token is required',
      );
    }
    if (principal.role === 'admin') return true;
    const accountId = (request.params as Record<string, string | undefined>)['id'];
    if (route.startsWith(ACCOUNT_ROUTE) && accountId !== principal.accountId) {
      throw new AccessException(AccessExceptionCode.ACCOUNT_NOT_FOUND, `no account ${accountId}`);
    }
    const adminOnly = this.reflector.getAllAndOverride<boolean | undefined>(ADMIN_ONLY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (adminOnly) {
      throw new AccessException(AccessExceptionCode.FORBIDDEN, 'this route needs an admin token');
    }
    return true;
  }
}
