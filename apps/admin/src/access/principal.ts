import { SetMetadata, createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who is calling: an admin (every account) or a tenant (one account). */
export type Principal =
  | { readonly role: 'admin'; readonly tokenId: string }
  | { readonly role: 'tenant'; readonly tokenId: string; readonly accountId: string };

/** A request as the edge leaves it: the principal of its bearer token, on `/v1` routes. */
export type PrincipalRequest = FastifyRequest & { principal?: Principal | null };

export const ADMIN_ONLY = 'tally:admin-only';

/** A route only admin tokens may use: a tenant token gets 403. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/** Handler parameter: the authenticated principal (the access guard has checked it is there). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<PrincipalRequest>().principal;
    if (!principal) throw new Error('no principal on an authenticated route');
    return principal;
  },
);
