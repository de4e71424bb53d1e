import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { returningRows } from '@tally/persistence';
import { DataSource } from 'typeorm';
import { LedgerException, LedgerExceptionCode } from '../ledger.exception';
import { LedgerStore } from '../postings/ledger.store';
import { apiKeyIdOf, hashSecret, newApiKey, secretMatches } from './api-key.secret';

export interface Account {
  account_id: string;
  name: string;
  currency: string;
  tier: string | null;
  status: 'active' | 'inactive';
}

/** Who is calling: the account and the API key its secret belongs to. */
export interface ApiKeyPrincipal {
  readonly accountId: string;
  readonly apiKeyId: string;
}

const ACCOUNT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/** How long an authentication answer is reused; a revoked key stops working within this. */
export const AUTH_CACHE_MS = 5_000;
const AUTH_CACHE_MAX = 10_000;

/** Accounts and their API keys. Every query is scoped by account id. */
@Injectable()
export class AccountsService {
  private readonly authCache = new Map<
    string,
    { principal: ApiKeyPrincipal | null; until: number }
  >();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: LedgerStore,
  ) {}

  /** Creates the account, or completes one that usage opened; creating it again is a no-op. */
  async createAccount(input: {
    accountId: string;
    name: string;
    currency?: string;
    tier?: string | null;
  }): Promise<Account> {
    if (!ACCOUNT_ID.test(input.accountId)) {
      throw new LedgerException(
        LedgerExceptionCode.VALIDATION_FAILED,
        'account_id: 1-128 letters, digits, and _ . : -',
      );
    }
    const currency = input.currency ?? 'USD';
    if (currency !== 'USD')
      throw new LedgerException(
        LedgerExceptionCode.VALIDATION_FAILED,
        'currency: only USD ledgers exist yet',
      );
    return this.dataSource.transaction(async (manager) => {
      await this.store.openAccounts(manager, [input.accountId], 'command');
      const [account] = await returningRows<Account>(
        manager,
        `UPDATE accounts SET name = $2, tier = $3, opened_by = 'command'
         WHERE account_id = $1
         RETURNING account_id, name, currency, tier, status`,
        [input.accountId, input.name, input.tier ?? null],
      );
      if (!account)
        throw new Error(`account ${input.accountId} is missing right after it was opened`);
      return account;
    });
  }

  /** A new API key for the account; the secret is returned here once and stored hashed. */
  async createApiKey(
    accountId: string,
    name: string,
  ): Promise<{ api_key_id: string; secret: string }> {
    const { apiKeyId, secret } = newApiKey();
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO api_keys (account_id, api_key_id, name, secret_hash)
       SELECT account_id, $2, $3, $4 FROM accounts WHERE account_id = $1
       RETURNING api_key_id`,
      [accountId, apiKeyId, name, hashSecret(secret)],
    );
    if (inserted.length === 0)
      throw new LedgerException(LedgerExceptionCode.ACCOUNT_NOT_FOUND, `no account ${accountId}`);
    return { api_key_id: apiKeyId, secret };
  }

  async revokeApiKey(accountId: string, apiKeyId: string): Promise<void> {
    this.authCache.clear();
    await this.dataSource.query(
      'UPDATE api_keys SET revoked_at = now() WHERE account_id = $1 AND api_key_id = $2 AND revoked_at IS NULL',
      [accountId, apiKeyId],
    );
  }

  /**
   * The principal of a secret, or null when it is unknown or revoked. Answers are cached for
   * a few seconds (authorizations are the hot path), so a revocation takes effect within
   * AUTH_CACHE_MS.
   */
  async authenticate(secret: string): Promise<ApiKeyPrincipal | null> {
    const cacheKey = hashSecret(secret);
    const cached = this.authCache.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.principal;
    const principal = await this.lookUp(secret);
    if (this.authCache.size >= AUTH_CACHE_MAX) this.authCache.clear();
    this.authCache.set(cacheKey, { principal, until: Date.now() + AUTH_CACHE_MS });
    return principal;
  }

  private async lookUp(secret: string): Promise<ApiKeyPrincipal | null> {
    const apiKeyId = apiKeyIdOf(secret);
    if (!apiKeyId) return null;
    const [key]: Array<{ account_id: string; secret_hash: string; revoked_at: Date | null }> =
      await this.dataSource.query(
        'SELECT account_id, secret_hash, revoked_at FROM api_keys WHERE api_key_id = $1',
        [apiKeyId],
      );
    if (!key || key.revoked_at || !secretMatches(secret, key.secret_hash)) return null;
    return { accountId: key.account_id, apiKeyId };
  }
}
