import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import type { Page } from '../http/pagination';
import { presentAmount } from '../http/present';
import type { UsageQuery } from './dtos/usage.dto';
import { UsageRollupsStore } from './usage-rollups.store';

export type UsageItem = Record<string, string | number | null>;

/** An account's usage from its daily rollups: never a scan of events at request time. */
@Injectable()
export class UsageService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly rollups: UsageRollupsStore,
  ) {}

  async usage(accountId: string, query: UsageQuery): Promise<Page<UsageItem>> {
    await this.accounts.require(accountId);
    const rows = await this.rollups.usage(this.dataSource.manager, accountId, query.group_by, {
      fromDay: query.from?.toISOString().slice(0, 10),
      toDay: query.to?.toISOString().slice(0, 10),
    });
    return {
      items: rows.map((row) => {
        const item: UsageItem = {};
        for (const group of query.group_by) item[group] = row[group] ?? null;
        item['cost'] = presentAmount(row.cost);
        item['tokens'] = Number(row.tokens);
        item['requests'] = Number(row.requests);
        return item;
      }),
      next_cursor: null,
    };
  }
}
