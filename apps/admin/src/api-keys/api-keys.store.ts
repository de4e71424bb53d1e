import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A key as the ledger answered admin's command about it. */
export interface ApiKeyRow {
  api_key_id: string;
  account_id: string;
  name: string;
  prefix: string;
  created_at: Date | string;
  revoked_at: Date | string | null;
}

const COLUMNS = 'api_key_id, account_id, name, prefix, created_at, revoked_at';

/** API keys of accounts, masked: admin never stores a secret or its hash. */
@Injectable()
export class ApiKeysStore {
  async save(manager: EntityManager, key: ApiKeyRow): Promise<void> {
    await manager.query(
      `INSERT INTO api_keys (account_id, api_key_id, name, prefix, created_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (account_id, api_key_id) DO UPDATE
         SET name = EXCLUDED.name, prefix = EXCLUDED.prefix, revoked_at = EXCLUDED.revoked_at`,
      [key.account_id, key.api_key_id, key.name, key.prefix, key.created_at, key.revoked_at],
    );
  }

  async find(
    manager: EntityManager,
    accountId: string,
    apiKeyId: string,
  ): Promise<ApiKeyRow | undefined> {
    const [row]: ApiKeyRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM api_keys WHERE account_id = $1 AND api_key_id = $2`,
      [accountId, apiKeyId],
    );
    return row;
  }

  /** Newest first; one row more than `limit` says there is a next page. */
  async list(
    manager: EntityManager,
    accountId: string,
    page: { after?: { created_at: string; api_key_id: string } | undefined; limit: number },
  ): Promise<ApiKeyRow[]> {
    return manager.query(
      `SELECT ${COLUMNS} FROM api_keys
       WHERE account_id = $1
         AND ($2::timestamptz IS NULL OR (created_at, api_key_id) < ($2::timestamptz, $3::text))
       ORDER BY created_at DESC, api_key_id DESC
       LIMIT $4`,
      [accountId, page.after?.created_at ?? null, page.after?.api_key_id ?? null, page.limit + 1],
    );
  }
}
