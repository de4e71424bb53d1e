import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { sha256Hex } from '@tally/platform';
import type { Principal } from '../access/principal';
import { AccountsService } from '../accounts/accounts.service';
import type { AdminConfig } from '../config/admin.config';
import { ADMIN_CONFIG } from '../config/admin.tokens';
import { pageOf, positionAfter } from '../http/pagination';
import type { Page } from '../http/pagination';
import { presentInstant, presentOptionalInstant } from '../http/present';
import type { CreateTokenRequest, ListTokensQuery, TokenView } from './dtos/token.dto';
import { TokensException, TokensExceptionCode } from './tokens.exception';
import { TokensStore } from './tokens.store';
import type { TokenRow } from './tokens.store';

/** How long a verification is reused: a revoked token stops working within 1 s on every instance. */
export const TOKEN_CACHE_MS = 1_000;
const TOKEN_CACHE_MAX = 10_000;
/** The principal of ADMIN_BOOTSTRAP_TOKEN (it has no row: it lives in the environment). */
const BOOTSTRAP_TOKEN_ID = 'bootstrap';

/**
 * Bearer tokens of the API: minted by admins, shown once, stored as their SHA-256 (256 random
 * bits need no stretching), revocable. ADMIN_BOOTSTRAP_TOKEN is an admin token for as long as
 * the environment holds it.
 */
@Injectable()
export class TokensService {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  private readonly bootstrapSha256: Buffer | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ADMIN_CONFIG) config: AdminConfig,
    private readonly store: TokensStore,
    private readonly accounts: AccountsService,
  ) {
    this.bootstrapSha256 = config.bootstrapToken
      ? Buffer.from(sha256Hex(config.bootstrapToken), 'hex')
      : undefined;
  }

  async mint(request: CreateTokenRequest): Promise<{ token_id: string; token: string }> {
    if (request.account_id !== undefined) await this.accounts.require(request.account_id);
    const token = `tat_${randomBytes(32).toString('base64url')}`;
    const row = await this.store.insert(this.dataSource.manager, {
      token_id: `tok_${randomBytes(8).toString('hex')}`,
      name: request.name,
      role: request.role,
      account_id: request.account_id ?? null,
      tokenSha256: sha256Hex(token),
      prefix: token.slice(0, 12),
    });
    return { token_id: row.token_id, token };
  }

  async revoke(tokenId: string): Promise<TokenView> {
    const row = await this.store.revoke(this.dataSource.manager, tokenId);
    this.cache.clear();
    if (!row) {
      throw new TokensException(TokensExceptionCode.TOKEN_NOT_FOUND, `no token ${tokenId}`);
    }
    return presentToken(row);
  }

  async list(query: ListTokensQuery): Promise<Page<TokenView>> {
    const after = positionAfter(query.cursor, z.string().min(1));
    const rows = await this.store.list(this.dataSource.manager, { after, limit: query.limit });
    return pageOf(rows, query.limit, presentToken, (row) => row.token_id);
  }

  /** The principal of a token, or null when it is unknown or revoked (cached TOKEN_CACHE_MS). */
  async verify(token: string): Promise<Principal | null> {
    const tokenSha256 = sha256Hex(token);
    if (
      this.bootstrapSha256 &&
      timingSafeEqual(Buffer.from(tokenSha256, 'hex'), this.bootstrapSha256)
    ) {
      return { role: 'admin', tokenId: BOOTSTRAP_TOKEN_ID };
    }
    const cached = this.cache.get(tokenSha256);
    if (cached && cached.until > Date.now()) return cached.principal;
    const row = await this.store.findByHash(this.dataSource.manager, tokenSha256);
    const principal = row && !row.revoked_at ? principalOf(row) : null;
    if (this.cache.size >= TOKEN_CACHE_MAX) this.cache.clear();
    this.cache.set(tokenSha256, { principal, until: Date.now() + TOKEN_CACHE_MS });
    return principal;
  }
}

function principalOf(row: TokenRow): Principal {
  return row.role === 'tenant' && row.account_id !== null
    ? { role: 'tenant', tokenId: row.token_id, accountId: row.account_id }
    : { role: 'admin', tokenId: row.token_id };
}

function presentToken(row: TokenRow): TokenView {
  return {
    token_id: row.token_id,
    name: row.name,
    role: row.role,
    account_id: row.account_id,
    prefix: row.prefix,
    created_at: presentInstant(row.created_at),
    revoked_at: presentOptionalInstant(row.revoked_at),
  };
}
