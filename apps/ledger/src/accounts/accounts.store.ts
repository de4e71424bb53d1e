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

export interface StoredApiKey {
  readonly account_id: string;
  readonly secret_hash: string;
  readonly revoked_at: Date | null;
}

/** Accounts' own rows and their API keys in SQL. Every statement is scoped by account id but the key lookup, which finds the account. */
@Injectable()
export class AccountsStore {
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
       RETURNING account_id, name, currency, tier, status`,
      [accountId, name, tier],
    );
    return account;
  }

  /** Stores a key of the account (its secret's hash only); false when the account does not exist. */
  async insertApiKey(
    manager: EntityManager,
    key: { accountId: string; apiKeyId: string; name: string; secretHash: string },
  ): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO api_keys (account_id, api_key_id, name, secret_hash)
       SELECT account_id, $2, $3, $4 FROM accounts WHERE account_id = $1
       RETURNING api_key_id`,
      [key.accountId, key.apiKeyId, key.name, key.secretHash],
    );
    return inserted.length > 0;
  }

  async revokeApiKey(manager: EntityManager, accountId: string, apiKeyId: string): Promise<void> {
    await manager.query(
      'UPDATE api_keys SET revoked_at = now() WHERE account_id = $1 AND api_key_id = $2 AND revoked_at IS NULL',
      [accountId, apiKeyId],
    );
  }

  async hasApiKey(manager: EntityManager, accountId: string, apiKeyId: string): Promise<boolean> {
    const keys: unknown[] = await manager.query(
      'SELECT 1 FROM api_keys WHERE account_id = $1 AND api_key_id = $2',
      [accountId, apiKeyId],
    );
    return keys.length > 0;
  }

  /** A key by its id alone: authentication learns the account from it. */
  async findApiKey(manager: EntityManager, apiKeyId: string): Promise<StoredApiKey | undefined> {
    const [key]: StoredApiKey[] = await manager.query(
      'SELECT account_id, secret_hash, revoked_at FROM api_keys WHERE api_key_id = $1',
      [apiKeyId],
    );
    return key;
  }
}
