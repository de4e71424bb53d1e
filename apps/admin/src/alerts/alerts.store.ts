import { Injectable } from '@nestjs/common';
import type { AlertFired } from '@tally/budget-domain';
import type { EntityManager } from 'typeorm';

export interface AlertRow {
  alert_id: string;
  api_key_id: string | null;
  kind: string;
  state: string;
  resolves: string | null;
  level: string;
  percent: number;
  amount: string | null;
  period_start: Date | null;
  message: string;
  at: Date;
}

export interface AlertPosition {
  readonly at: string;
  readonly alert_id: string;
}

// percent is a bigint, which pg answers as text; float8 holds every safe integer exactly.
const COLUMNS =
  'alert_id, api_key_id, kind, state, resolves, level, percent::float8 AS percent, amount, period_start, message, at';

/** Alerts fired and resolved, per account, from alerts.fired. */
@Injectable()
export class AlertsStore {
  async insert(manager: EntityManager, alerts: readonly AlertFired[]): Promise<void> {
    if (alerts.length === 0) return;
    const column = <T>(pick: (alert: AlertFired) => T) => alerts.map(pick);
    await manager.query(
      `INSERT INTO alerts (account_id, alert_id, api_key_id, kind, state, resolves, level, percent,
         amount, period_start, message, at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
         $7::text[], $8::bigint[], $9::numeric[], $10::timestamptz[], $11::text[], $12::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [
        column((a) => a.account_id),
        column((a) => a.id),
        column((a) => a.api_key_id),
        column((a) => a.kind),
        column((a) => a.state),
        column((a) => a.resolves ?? null),
        column((a) => a.level),
        column((a) => a.percent),
        column((a) => a.amount ?? null),
        column((a) => a.period_start),
        column((a) => a.message),
        column((a) => a.at),
      ],
    );
  }

  /** Newest first; one row more than `limit` says there is a next page. */
  async list(
    manager: EntityManager,
    accountId: string,
    filter: {
      kind?: string | undefined;
      state?: string | undefined;
      from?: Date | undefined;
      to?: Date | undefined;
    },
    page: { after?: AlertPosition | undefined; limit: number },
  ): Promise<AlertRow[]> {
    return manager.query(
      `SELECT ${COLUMNS} FROM alerts
       WHERE account_id = $1
         AND ($2::text IS NULL OR kind = $2)
         AND ($3::text IS NULL OR state = $3)
         AND ($4::timestamptz IS NULL OR at >= $4)
         AND ($5::timestamptz IS NULL OR at < $5)
         AND ($6::timestamptz IS NULL OR (at, alert_id) < ($6::timestamptz, $7::text))
       ORDER BY at DESC, alert_id DESC
       LIMIT $8`,
      [
        accountId,
        filter.kind ?? null,
        filter.state ?? null,
        filter.from ?? null,
        filter.to ?? null,
        page.after?.at ?? null,
        page.after?.alert_id ?? null,
        page.limit + 1,
      ],
    );
  }
}
