import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DeliveriesException, DeliveriesExceptionCode } from './deliveries.exception';
import { DeliveriesStore } from './deliveries.store';
import type { HistoryRow } from './deliveries.store';

export interface HistoryItem {
  readonly alert_id: string;
  readonly kind: string;
  readonly state: string;
  readonly at: string;
  readonly channel_id: string;
  readonly channel_type: string;
  readonly delivery_id: string;
  /** DESIGN 2's three: delivered, retrying (not yet answered, or to be tried again), dead. */
  readonly status: 'delivered' | 'retrying' | 'dead';
  readonly attempts: number;
  readonly last_error: string | null;
  readonly delivered_at: string | null;
}

/**
 * alerting.history (DESIGN 2): what became of each delivery of the account's alerts. An alert no
 * channel took has no delivery to list; it is on alerts.fired.
 */
@Injectable()
export class DeliveryHistory {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: DeliveriesStore,
  ) {}

  async history(
    accountId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: HistoryItem[]; next_cursor: string | null }> {
    const rows = await this.store.history(
      this.dataSource.manager,
      { accountId },
      cursor === undefined ? null : decodeCursor(cursor),
      limit + 1,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(presentItem),
      next_cursor: rows.length > limit && last ? encodeCursor(last.seq, last.delivery_id) : null,
    };
  }
}

function presentItem(row: HistoryRow): HistoryItem {
  return {
    alert_id: row.alert_id,
    kind: row.kind,
    state: row.state,
    at: row.at.toISOString(),
    channel_id: row.channel_id,
    channel_type: row.channel_type,
    delivery_id: row.delivery_id,
    // A delivery not yet answered is still being tried: DESIGN 2 names no fourth status.
    status: row.status === 'pending' ? 'retrying' : row.status,
    attempts: row.attempts,
    last_error: row.last_error,
    delivered_at: row.delivered_at?.toISOString() ?? null,
  };
}

function encodeCursor(seq: string, deliveryId: string): string {
  return Buffer.from(JSON.stringify([seq, deliveryId])).toString('base64url');
}

function decodeCursor(cursor: string): { seq: string; deliveryId: string } {
  try {
    const [seq, deliveryId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    // Delivery ids are ours (dlv_<uuid>): anything else, a NUL included, never reaches SQL.
    if (
      typeof seq === 'string' &&
      /^\d{1,18}$/.test(seq) &&
      typeof deliveryId === 'string' &&
      /^[\w-]{0,128}$/.test(deliveryId)
    ) {
      return { seq, deliveryId };
    }
  } catch {
    // falls through to the refusal
  }
  throw new DeliveriesException(
    DeliveriesExceptionCode.INVALID_CURSOR,
    'cursor is not one this command returned',
  );
}
