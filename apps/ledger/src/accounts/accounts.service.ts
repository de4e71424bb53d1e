import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { LedgerStore } from '../books/ledger.store';
import { AccountsException, AccountsExceptionCode } from './accounts.exception';
import { AccountsStore } from './accounts.store';
import type { Account } from './accounts.store';
import { apiKeyIdOf, hashSecret, newApiKey, secretMatches } from './api-key.secret';

export type { Account } from './accounts.store';

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
    private readonly ledger: LedgerStore,
    private readonly store: AccountsStore,
  ) {}

  /** Creates the account, or completes one that usage opened; creating it again is a no-op. */
  async createAccount(input: {
    accountId: string;
    name: string;
    currency?: string;
    tier?: string | null;
  }): Promise<Account> {
    if (!ACCOUNT_ID.test(input.accountId)) {
      throw new AccountsException(
        AccountsExceptionCode.VALIDATION_FAILED,
        'account_id: 1-128 letters, digits, and _ . : -',
      );
    }
    const currency = input.currency ?? 'USD';
    if (currency !== 'USD') {
      throw new AccountsException(
        AccountsExceptionCode.VALIDATION_FAILED,
        'currency: only USD ledgers exist yet',
      );
    }
    return this.dataSource.transaction(async (manager) => {
      await this.ledger.openAccounts(manager, [input.accountId], 'command');
      const account = await this.store.describe(
        manager,
        input.accountId,
        input.name,
        input.tier ?? null,
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
    const key = { accountId, apiKeyId, name, secretHash: hashSecret(secret) };
    if (!(await this.store.insertApiKey(this.dataSource.manager, key))) {
      throw new AccountsException(
        AccountsExceptionCode.ACCOUNT_NOT_FOUND,
        `no account ${accountId}`,
      );
    }
    return { api_key_id: apiKeyId, secret };
  }

  async revokeApiKey(accountId: string, apiKeyId: string): Promise<void> {
    this.authCache.clear();
    await this.store.revokeApiKey(this.dataSource.manager, accountId, apiKeyId);
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
    const key = await this.store.findApiKey(this.dataSource.manager, apiKeyId);
    if (!key || key.revoked_at || !secretMatches(secret, key.secret_hash)) return null;
    return { accountId: key.account_id, apiKeyId };
  }
}
