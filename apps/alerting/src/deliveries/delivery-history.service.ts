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
  readonly channel_id: string | null;
  readonly channel_type: string | null;
  readonly delivery_id: string | null;
  /** pending (not yet attempted), retrying, delivered, dead; no_channel when no channel took it. */
  readonly status: string;
  readonly attempts: number;
  readonly last_error: string | null;
  readonly delivered_at: string | null;
}

/** alerting.history (DESIGN 2): what fired and what became of each delivery. */
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
      next_cursor:
        rows.length > limit && last ? encodeCursor(last.seq, last.delivery_id ?? '') : null,
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
    status: row.status ?? 'no_channel',
    attempts: row.attempts ?? 0,
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
