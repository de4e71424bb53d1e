import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BOOKS_CURRENCY } from '@tally/budget-domain';
import { RecentlyUsed, counter, sha256Hex } from '@tally/platform';
import { DataSource } from 'typeorm';
import { LedgerStore } from '../books/ledger.store';
import { AccountsException, AccountsExceptionCode } from './accounts.exception';
import { AccountsStore } from './accounts.store';
import type { Account, ApiKey } from './accounts.store';

export type { Account, ApiKey } from './accounts.store';

/** Who is calling: the account and the API key its secret belongs to. */
export interface ApiKeyPrincipal {
  readonly accountId: string;
  readonly apiKeyId: string;
}

const ACCOUNT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/**
 * How long "no such key" is reused. A known key's answer is kept until its revocation is seen:
 * every statement that acts for a key checks that it is not revoked (ADR 0053).
 */
export const UNKNOWN_KEY_CACHE_MS = 1_000;
/** Secrets kept at most per instance; the least recently used go first. */
const AUTH_CACHE_MAX = 10_000;

const keyLookups = counter(
  'tally_ledger_api_key_lookups_total',
  'API key secrets the HTTP edge looked up in PostgreSQL (a known key is kept until seen revoked)',
);

/** Accounts and their API keys. Every query is scoped by account id. */
@Injectable()
export class AccountsService {
  private readonly authCache = new RecentlyUsed<
    string,
    { principal: ApiKeyPrincipal; until?: undefined } | { principal: null; until: number }
  >(AUTH_CACHE_MAX);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerStore,
    private readonly store: AccountsStore,
  ) {}

  /**
   * Creates the account, or completes one that usage or a payment opened (it gets its name and
   * tier). An account a command created already stays as it is: `created` is false and nothing
   * changed, so a repeated or conflicting create never overwrites a name or tier.
   */
  async createAccount(input: {
    accountId: string;
    name: string;
    currency?: string;
    tier?: string | null;
  }): Promise<{ account: Account; created: boolean }> {
    if (!ACCOUNT_ID.test(input.accountId)) {
      throw new AccountsException(
        AccountsExceptionCode.VALIDATION_FAILED,
        'account_id: 1-128 letters, digits, and _ . : -',
      );
    }
    const currency = input.currency ?? BOOKS_CURRENCY;
    if (currency !== BOOKS_CURRENCY) {
      throw new AccountsException(
        AccountsExceptionCode.VALIDATION_FAILED,
        `currency: only ${BOOKS_CURRENCY} ledgers exist yet`,
      );
    }
    return this.dataSource.transaction(async (manager) => {
      const opened = await this.ledger.openAccounts(manager, [input.accountId], 'command');
      if (!opened.has(input.accountId)) {
        const existing = await this.store.lockAccount(manager, input.accountId);
        if (existing?.opened_by === 'command') {
          const { opened_by: _openedBy, ...account } = existing;
          return { account, created: false };
        }
      }
      const account = await this.store.describe(
        manager,
        input.accountId,
        input.name,
        input.tier ?? null,
      );
      if (!account)
        throw new Error(`account ${input.accountId} is missing right after it was opened`);
      return { account, created: true };
    });
  }

  /**
   * Stores a key the caller made: only its secret's SHA-256 and display prefix reach the ledger
   * (the caller shows the secret once). Sending the same hash for the same account again
   * answers the key it made the first time, so a retried command is safe.
   */
  async createApiKey(input: {
    accountId: string;
    name: string;
    secretSha256: string;
    prefix: string;
  }): Promise<ApiKey> {
    const manager = this.dataSource.manager;
    const apiKeyId = `key_${randomBytes(8).toString('hex')}`;
    const key = { ...input, apiKeyId, secretHash: input.secretSha256 };
    const created = await this.store.insertApiKey(manager, key);
    if (created) return created;
    const existing = await this.store.findApiKeyByHash(manager, input.secretSha256);
    if (existing?.account_id === input.accountId) return existing;
    if (existing) {
      throw new AccountsException(
        AccountsExceptionCode.API_KEY_CONFLICT,
        'secret_sha256 belongs to another key: generate a new secret',
      );
    }
    throw new AccountsException(
      AccountsExceptionCode.ACCOUNT_NOT_FOUND,
      `no account ${input.accountId}`,
    );
  }

  async revokeApiKey(accountId: string, apiKeyId: string): Promise<ApiKey> {
    const revoked = await this.store.revokeApiKey(this.dataSource.manager, accountId, apiKeyId);
    if (!revoked) {
      throw new AccountsException(
        AccountsExceptionCode.API_KEY_NOT_FOUND,
        `no key ${apiKeyId} in account ${accountId}`,
      );
    }
    this.forget({ accountId, apiKeyId });
    return revoked;
  }

  /**
   * The principal of a secret, or null when it is unknown or revoked. A principal is cached
   * until `forget` (the hot path asks PostgreSQL about the key only with the facts it acts on),
   * "unknown" for UNKNOWN_KEY_CACHE_MS.
   */
  async authenticate(secret: string): Promise<ApiKeyPrincipal | null> {
    const secretHash = sha256Hex(secret);
    const cached = this.authCache.get(secretHash);
    if (cached && (cached.until === undefined || cached.until > Date.now()))
      return cached.principal;
    keyLookups.inc();
    const key = await this.store.findApiKeyByHash(this.dataSource.manager, secretHash);
    if (!key || key.revoked_at) {
      this.authCache.set(secretHash, { principal: null, until: Date.now() + UNKNOWN_KEY_CACHE_MS });
      return null;
    }
    const principal = { accountId: key.account_id, apiKeyId: key.api_key_id };
    this.authCache.set(secretHash, { principal });
    return principal;
  }

  /** Whether the key was revoked: asked when it got no answer from a statement that checks it. */
  async isRevoked(principal: ApiKeyPrincipal): Promise<boolean> {
    const { accountId, apiKeyId } = principal;
    const key = await this.store.findApiKey(this.dataSource.manager, accountId, apiKeyId);
    return Boolean(key?.revoked_at);
  }

  /** Drops the key's cached principal: its next request asks PostgreSQL again. */
  forget(principal: ApiKeyPrincipal): void {
    this.authCache.deleteWhere(
      (cached) =>
        cached.principal?.accountId === principal.accountId &&
        cached.principal.apiKeyId === principal.apiKeyId,
    );
  }
}
