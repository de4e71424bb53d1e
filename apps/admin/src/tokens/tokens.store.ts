import { Injectable } from '@nestjs/common';
import { returningRows } from '@tally/persistence';
import type { EntityManager } from 'typeorm';

export interface TokenRow {
  token_id: string;
  name: string;
  role: 'admin' | 'tenant';
  account_id: string | null;
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

const TOKEN_COLUMNS = 'token_id, name, role, account_id, prefix, created_at, revoked_at';

/** API tokens by the SHA-256 of the token; the token itself is never stored. */
@Injectable()
export class TokensStore {
  async insert(
    manager: EntityManager,
    token: Omit<TokenRow, 'created_at' | 'revoked_at'> & { tokenSha256: string },
  ): Promise<TokenRow> {
    const [row]: TokenRow[] = await manager.query(
      `INSERT INTO tokens (token_id, name, role, account_id, token_sha256, prefix)
       VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${TOKEN_COLUMNS}`,
      [token.token_id, token.name, token.role, token.account_id, token.tokenSha256, token.prefix],
    );
    if (!row) throw new Error('INSERT … RETURNING returned no row');
    return row;
  }

  async findByHash(manager: EntityManager, tokenSha256: string): Promise<TokenRow | undefined> {
    const [row]: TokenRow[] = await manager.query(
      `SELECT ${TOKEN_COLUMNS} FROM tokens WHERE token_sha256 = $1`,
      [tokenSha256],
    );
    return row;
  }

  /** Revokes once: a second revocation keeps the first instant. Undefined when there is no such token. */
  async revoke(manager: EntityManager, tokenId: string): Promise<TokenRow | undefined> {
    const [row] = await returningRows<TokenRow>(
      manager,
      `UPDATE tokens SET revoked_at = coalesce(revoked_at, now())
       WHERE token_id = $1
       RETURNING ${TOKEN_COLUMNS}`,
      [tokenId],
    );
    return row;
  }

  async list(
    manager: EntityManager,
    page: { after?: string | undefined; limit: number },
  ): Promise<TokenRow[]> {
    return manager.query(
      `SELECT ${TOKEN_COLUMNS} FROM tokens
       WHERE ($1::text IS NULL OR token_id > $1)
       ORDER BY token_id
       LIMIT $2`,
      [page.after ?? null, page.limit + 1],
    );
  }
}
