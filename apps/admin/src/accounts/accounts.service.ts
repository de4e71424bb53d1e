import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AlertLevel } from '@tally/budget-domain';
import { Commands } from '../commands/commands.service';
import { pageOf, positionAfter } from '../http/pagination';
import type { Page } from '../http/pagination';
import { presentAmount, presentInstant, presentOptionalInstant } from '../http/present';
import { AccountsException, AccountsExceptionCode } from './accounts.exception';
import { AccountsStore } from './accounts.store';
import type { AccountRow } from './accounts.store';
import type { AccountView, CreateAccountRequest, ListAccountsQuery } from './dtos/account.dto';
import { SystemTotalsStore, emptyTotalsDelta } from './system-totals.store';

interface LedgerAccount {
  account_id: string;
  name: string;
  currency: string;
  tier: string | null;
  status: string;
}

/** Accounts: created through the ledger, read from admin's own tables. */
@Injectable()
export class AccountsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly commands: Commands,
    private readonly store: AccountsStore,
    private readonly totals: SystemTotalsStore,
  ) {}

  async create(request: CreateAccountRequest): Promise<AccountView> {
    const account = await this.commands.send<LedgerAccount>('ledger.create-account', {
      account_id: request.account_id,
      name: request.name,
      currency: request.currency,
      tier: request.tier ?? null,
    });
    await this.dataSource.transaction(async (manager) => {
      const delta = emptyTotalsDelta();
      if (await this.store.save(manager, account)) delta.accounts = 1;
      await this.totals.add(manager, delta);
    });
    return this.read(account.account_id);
  }

  async read(accountId: string): Promise<AccountView> {
    const row = await this.store.find(this.dataSource.manager, accountId);
    if (!row) throw notFound(accountId);
    return presentAccount(row);
  }

  /** The ledger names an assigned plan as the account's tier (ADR 0044): so does admin. */
  async planAssigned(accountId: string, planName: string): Promise<void> {
    await this.store.setTier(this.dataSource.manager, accountId, planName);
  }

  /** Refuses an account admin does not know (404), before a command or a read about it. */
  async require(accountId: string): Promise<void> {
    if (!(await this.store.exists(this.dataSource.manager, accountId))) throw notFound(accountId);
  }

  async list(query: ListAccountsQuery): Promise<Page<AccountView>> {
    const after = positionAfter(query.cursor, z.string().min(1));
    const rows = await this.store.list(this.dataSource.manager, {
      after,
      limit: query.limit,
      alertLevel: query.alert_level,
    });
    return pageOf(rows, query.limit, presentAccount, (row) => row.account_id);
  }
}

function notFound(accountId: string): AccountsException {
  return new AccountsException(AccountsExceptionCode.ACCOUNT_NOT_FOUND, `no account ${accountId}`);
}

function presentAccount(row: AccountRow): AccountView {
  const balance: AccountView['balance'] =
    row.sequence === null
      ? null
      : {
          period: {
            start: presentOptionalInstant(row.period_start),
            end: presentOptionalInstant(row.period_end),
          },
          allowance: presentAmount(row.allowance ?? '0'),
          used: presentAmount(row.used ?? '0'),
          remaining: presentAmount(row.remaining ?? '0'),
          extra_credit_remaining: presentAmount(row.extra_credit_remaining ?? '0'),
          available: presentAmount(row.available ?? '0'),
          available_percent: row.available_percent ?? 0,
          alert_level: (row.alert_level ?? 'GREEN') as AlertLevel,
          over_soft_limit: row.over_soft_limit ?? false,
          over_hard_limit: row.over_hard_limit ?? false,
          overage: presentAmount(row.overage ?? '0'),
          at: presentInstant(row.balance_at ?? row.created_at),
        };
  return {
    account_id: row.account_id,
    name: row.name,
    currency: row.currency,
    tier: row.tier,
    status: row.status,
    created_at: presentInstant(row.created_at),
    balance,
    // DESIGN 5 lists accounts "with balance, alert level": the level is the balance's.
    alert_level: balance?.alert_level ?? null,
    auto_topup:
      row.auto_topup_state === null
        ? null
        : {
            enabled: row.auto_topup_enabled ?? false,
            state: row.auto_topup_state,
            pending_since: presentOptionalInstant(row.auto_topup_pending_since),
            cooldown_until: presentOptionalInstant(row.auto_topup_cooldown_until),
            month_auto_paid: presentAmount(row.auto_topup_month_auto_paid ?? '0'),
            monthly_limit: presentAmount(row.auto_topup_monthly_limit ?? '0'),
            paid_currency: row.auto_topup_paid_currency ?? '',
            pause_reason: row.auto_topup_pause_reason,
            at: presentInstant(row.auto_topup_at ?? row.created_at),
          },
  };
}
