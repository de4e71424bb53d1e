import { Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { Commands } from '../commands/commands.service';
import type { SetBudgetRequest } from './dtos/budget.dto';

/** Budgets and their status live in the ledger: admin passes the commands on and answers their replies. */
@Injectable()
export class BudgetsService {
  constructor(
    private readonly commands: Commands,
    private readonly accounts: AccountsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async setAccountBudget(accountId: string, request: SetBudgetRequest): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('ledger.set-budget', { ...request, account_id: accountId });
  }

  async setKeyBudget(
    accountId: string,
    apiKeyId: string,
    request: SetBudgetRequest,
  ): Promise<unknown> {
    await this.apiKeys.require(accountId, apiKeyId);
    return this.commands.send('ledger.set-budget', {
      ...request,
      account_id: accountId,
      api_key_id: apiKeyId,
    });
  }

  async status(accountId: string, apiKeyId: string | undefined): Promise<unknown> {
    if (apiKeyId === undefined) await this.accounts.require(accountId);
    else await this.apiKeys.require(accountId, apiKeyId);
    return this.commands.send('ledger.budget-status', {
      account_id: accountId,
      api_key_id: apiKeyId ?? null,
    });
  }
}
