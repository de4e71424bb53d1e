import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { newApiKeySecret } from '@tally/platform';
import { AccountsService } from '../accounts/accounts.service';
import { Commands } from '../commands/commands.service';
import { pageOf, positionAfter } from '../http/pagination';
import type { Page } from '../http/pagination';
import { presentInstant, presentOptionalInstant } from '../http/present';
import { ApiKeysException, ApiKeysExceptionCode } from './api-keys.exception';
import { ApiKeysStore } from './api-keys.store';
import type { ApiKeyRow } from './api-keys.store';
import type { ApiKeyView, CreateApiKeyRequest, ListApiKeysQuery } from './dtos/api-key.dto';

// Checked as the other lists' positions are: a crafted created_at must be a 422, not a SQL error.
const keyCursor = z.object({ created_at: z.iso.datetime(), api_key_id: z.string().min(1) });

/**
 * API keys: admin makes the secret, shows it once and hands the ledger only its SHA-256 and
 * display prefix (no secret on Kafka); it keeps the masked key for listing.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly commands: Commands,
    private readonly accounts: AccountsService,
    private readonly store: ApiKeysStore,
  ) {}

  async create(
    accountId: string,
    request: CreateApiKeyRequest,
  ): Promise<{ api_key_id: string; secret: string; prefix: string }> {
    await this.accounts.require(accountId);
    const { secret, secretSha256, prefix } = newApiKeySecret();
    const key = await this.commands.send<ApiKeyRow>('ledger.create-api-key', {
      account_id: accountId,
      name: request.name,
      secret_sha256: secretSha256,
      prefix,
    });
    await this.store.save(this.dataSource.manager, key);
    return { api_key_id: key.api_key_id, secret, prefix: key.prefix };
  }

  async list(accountId: string, query: ListApiKeysQuery): Promise<Page<ApiKeyView>> {
    await this.accounts.require(accountId);
    const after = positionAfter(query.cursor, keyCursor);
    const rows = await this.store.list(this.dataSource.manager, accountId, {
      after,
      limit: query.limit,
    });
    return pageOf(rows, query.limit, presentApiKey, (row) => ({
      created_at: presentInstant(row.created_at),
      api_key_id: row.api_key_id,
    }));
  }

  /** Revokes the key in the ledger (honoured from its reply on); revoking again keeps the first instant. */
  async revoke(accountId: string, apiKeyId: string): Promise<ApiKeyView> {
    await this.require(accountId, apiKeyId);
    const key = await this.commands.send<ApiKeyRow>('ledger.revoke-api-key', {
      account_id: accountId,
      api_key_id: apiKeyId,
    });
    await this.store.save(this.dataSource.manager, key);
    return presentApiKey(key);
  }

  /** Refuses a key the account does not have (404), before a command names it. */
  async require(accountId: string, apiKeyId: string): Promise<void> {
    await this.accounts.require(accountId);
    if (!(await this.store.find(this.dataSource.manager, accountId, apiKeyId))) {
      throw new ApiKeysException(
        ApiKeysExceptionCode.API_KEY_NOT_FOUND,
        `no key ${apiKeyId} in account ${accountId}`,
      );
    }
  }
}

function presentApiKey(row: ApiKeyRow): ApiKeyView {
  return {
    api_key_id: row.api_key_id,
    name: row.name,
    prefix: row.prefix,
    created_at: presentInstant(row.created_at),
    revoked_at: presentOptionalInstant(row.revoked_at),
  };
}
