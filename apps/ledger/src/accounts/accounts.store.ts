import { Injectable } from '@nestjs/common';
import { returningRows } from '@tally/persistence';
import type { EntityManager } from 'typeorm';

export interface Account {
  account_id: string;
  name: string;
  currency: string;
  tier: string | null;
  status: 'active' | 'inactive';
}

const ACCOUNT_COLUMNS = 'account_id, name, currency, tier, status';

/** A key as its commands answer it (never its secret or hash). */
export interface ApiKey {
  readonly api_key_id: string;
  readonly account_id: string;
  readonly name: string;
  readonly prefix: string;
  readonly created_at: Date;
  readonly revoked_at: Date | null;
}

const API_KEY_COLUMNS = 'api_key_id, account_id, name, prefix, created_at, revoked_at';

/**
 * Accounts' own rows and their API keys in SQL. Every statement is scoped by account id but the
 * lookup by secret hash, which is how a caller's account is found.
 */
@Injectable()
export class AccountsStore {
  /** The account and what opened it, locked for this transaction; undefined when it does not exist. */
  async lockAccount(
    manager: EntityManager,
    accountId: string,
  ): Promise<(Account & { opened_by: string }) | undefined> {
    const [account]: Array<Account & { opened_by: string }> = await manager.query(
      `SELECT ${ACCOUNT_COLUMNS}, opened_by FROM accounts WHERE account_id = $1 FOR UPDATE`,
      [accountId],
    );
    return account;
  }

  /** Names an opened account; undefined when it does not exist. */
  async describe(
    manager: EntityManager,
    accountId: string,
    name: string,
    tier: string | null,
  ): Promise<Account | undefined> {
    const [account] = await returningRows<Account>(
      manager,
      `UPDATE accounts SET name = $2, tier = $3, opened_by = 'command'
       WHERE account_id = $1
       RETURNING ${ACCOUNT_COLUMNS}`,
      [accountId, name, tier],
    );
    return account;
  }

  /**
   * Stores a key of the account by its secret's hash. Undefined when the account does not
   * exist or the hash is taken (see `findApiKeyByHash`).
   */
  async insertApiKey(
    manager: EntityManager,
    key: { accountId: string; apiKeyId: string; name: string; secretHash: string; prefix: string },
  ): Promise<ApiKey | undefined> {
    const [inserted]: ApiKey[] = await manager.query(
      `INSERT INTO api_keys (account_id, api_key_id, name, secret_hash, prefix)
       SELECT account_id, $2, $3, $4, $5 FROM accounts WHERE account_id = $1
       ON CONFLICT (secret_hash) DO NOTHING
       RETURNING ${API_KEY_COLUMNS}`,
      [key.accountId, key.apiKeyId, key.name, key.secretHash, key.prefix],
    );
    return inserted;
  }

  /** Revokes the key (once: a second revocation keeps the first instant); undefined when the account has no such key. */
  async revokeApiKey(
    manager: EntityManager,
    accountId: string,
    apiKeyId: string,
  ): Promise<ApiKey | undefined> {
    const [revoked] = await returningRows<ApiKey>(
      manager,
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())
       WHERE account_id = $1 AND api_key_id = $2
       RETURNING ${API_KEY_COLUMNS}`,
      [accountId, apiKeyId],
    );
    return revoked;
  }

  /** The account's key, or undefined when the account has no such key. */
  async findApiKey(
    manager: EntityManager,
    accountId: string,
    apiKeyId: string,
  ): Promise<ApiKey | undefined> {
    const [key]: ApiKey[] = await manager.query(
      `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE account_id = $1 AND api_key_id = $2`,
      [accountId, apiKeyId],
    );
    return key;
  }

  /** A key by its secret's hash: authentication learns the account and the key from it. */
  async findApiKeyByHash(manager: EntityManager, secretHash: string): Promise<ApiKey | undefined> {
    const [key]: ApiKey[] = await manager.query(
      `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE secret_hash = $1`,
      [secretHash],
    );
    return key;
  }
}
