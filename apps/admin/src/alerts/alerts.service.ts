import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import type { AlertKind, AlertLevel } from '@tally/budget-domain';
import { AccountsService } from '../accounts/accounts.service';
import { Commands } from '../commands/commands.service';
import { pageOf, positionAfter } from '../http/pagination';
import type { Page } from '../http/pagination';
import { presentInstant, presentOptionalAmount, presentOptionalInstant } from '../http/present';
import { AlertsException, AlertsExceptionCode } from './alerts.exception';
import { AlertsStore } from './alerts.store';
import type { AlertPosition, AlertRow } from './alerts.store';
import type {
  AlertView,
  DeliveriesQuery,
  ListAlertsQuery,
  SetChannelRequest,
} from './dtos/alert.dto';

const position = z.object({ at: z.iso.datetime(), alert_id: z.string().min(1) });

interface Channel {
  channel_id: string;
  [field: string]: unknown;
}

/**
 * Alerts: their history from admin's projection of alerts.fired; channels and deliveries
 * through alerting's commands.
 */
@Injectable()
export class AlertsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly commands: Commands,
    private readonly accounts: AccountsService,
    private readonly store: AlertsStore,
  ) {}

  async list(accountId: string, query: ListAlertsQuery): Promise<Page<AlertView>> {
    await this.accounts.require(accountId);
    const after = positionAfter(query.cursor, position);
    const rows = await this.store.list(this.dataSource.manager, accountId, query, {
      after,
      limit: query.limit,
    });
    return pageOf(rows, query.limit, presentAlert, (row): AlertPosition => ({
      at: presentInstant(row.at),
      alert_id: row.alert_id,
    }));
  }

  async channels(accountId: string): Promise<{ items: Channel[]; next_cursor: null }> {
    await this.accounts.require(accountId);
    const reply = await this.commands.send<{ items: Channel[] }>('alerting.list-channels', {
      account_id: accountId,
    });
    return { items: reply.items, next_cursor: null };
  }

  async channel(accountId: string, channelId: string): Promise<Channel> {
    const { items } = await this.channels(accountId);
    const found = items.find((channel) => channel.channel_id === channelId);
    if (!found) {
      throw new AlertsException(
        AlertsExceptionCode.CHANNEL_NOT_FOUND,
        `no channel ${channelId} in account ${accountId}`,
      );
    }
    return found;
  }

  async setChannel(
    accountId: string,
    channelId: string | undefined,
    request: SetChannelRequest,
  ): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('alerting.set-channel', {
      ...request,
      account_id: accountId,
      ...(channelId === undefined ? {} : { channel_id: channelId }),
    });
  }

  async deleteChannel(accountId: string, channelId: string): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('alerting.delete-channel', {
      account_id: accountId,
      channel_id: channelId,
    });
  }

  async deliveries(accountId: string, query: DeliveriesQuery): Promise<unknown> {
    await this.accounts.require(accountId);
    return this.commands.send('alerting.history', {
      account_id: accountId,
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
  }
}

function presentAlert(row: AlertRow): AlertView {
  return {
    alert_id: row.alert_id,
    api_key_id: row.api_key_id,
    kind: row.kind as AlertKind,
    state: row.state === 'resolved' ? 'resolved' : 'fired',
    resolves: row.resolves,
    level: row.level as AlertLevel,
    percent: row.percent,
    amount: presentOptionalAmount(row.amount),
    period_start: presentOptionalInstant(row.period_start),
    message: row.message,
    at: presentInstant(row.at),
  };
}
