import { Injectable } from '@nestjs/common';
import { parseAlertFired } from '@tally/budget-domain';
import type { ActiveAlert, AlertFired, AlertKind } from '@tally/budget-domain';
import type { EntityManager } from 'typeorm';

/** An active alert as stored, with the alert announced for it (if any). */
export interface StoredActiveAlert extends ActiveAlert {
  readonly accountId: string;
  readonly apiKeyId: string | null;
  /** The period (or, for an anomaly, the hour) the condition was seen in. */
  readonly scopeStart: string | null;
  readonly fired: AlertFired | null;
}

interface ActiveRow {
  account_id: string;
  api_key_id: string;
  condition_key: string;
  kind: AlertKind;
  alert_id: string | null;
  scope_start: Date | null;
  body: string | null;
}

/** Active alerts (the dedupe) and the alert log, in SQL. */
@Injectable()
export class AlertsStore {
  async activeOf(
    manager: EntityManager,
    accountIds: readonly string[],
  ): Promise<StoredActiveAlert[]> {
    if (accountIds.length === 0) return [];
    const rows = (await manager.query(
      `SELECT s.account_id, s.api_key_id, s.condition_key, s.kind, s.alert_id, s.scope_start, a.body
       FROM active_alerts s
       LEFT JOIN alerts a ON a.account_id = s.account_id AND a.alert_id = s.alert_id
       WHERE s.account_id = ANY($1::text[])
       ORDER BY s.account_id, s.api_key_id, s.seq`,
      [accountIds],
    )) as ActiveRow[];
    return rows.map((row) => {
      const fired = row.body === null ? null : parseAlertFired(row.body);
      return {
        accountId: row.account_id,
        apiKeyId: row.api_key_id === '' ? null : row.api_key_id,
        key: row.condition_key,
        kind: row.kind,
        alertId: row.alert_id,
        scopeStart: row.scope_start?.toISOString() ?? null,
        fired: fired?.ok ? fired.value : null,
      };
    });
  }

  /** Since when (its scope) each of these accounts has an active alert of the kind. */
  async activeSince(
    manager: EntityManager,
    accountIds: readonly string[],
    kind: AlertKind,
  ): Promise<Map<string, Date | null>> {
    if (accountIds.length === 0) return new Map();
    const rows = (await manager.query(
      `SELECT account_id, scope_start FROM active_alerts
       WHERE account_id = ANY($1::text[]) AND api_key_id = '' AND kind = $2`,
      [accountIds, kind],
    )) as Array<{ account_id: string; scope_start: Date | null }>;
    return new Map(rows.map((row) => [row.account_id, row.scope_start]));
  }

  async removeActive(manager: EntityManager, alerts: readonly StoredActiveAlert[]): Promise<void> {
    if (alerts.length === 0) return;
    await manager.query(
      `DELETE FROM active_alerts s
       USING unnest($1::text[], $2::text[], $3::text[]) AS r (account_id, api_key_id, condition_key)
       WHERE s.account_id = r.account_id AND s.api_key_id = r.api_key_id AND s.condition_key = r.condition_key`,
      [
        alerts.map((alert) => alert.accountId),
        alerts.map((alert) => alert.apiKeyId ?? ''),
        alerts.map((alert) => alert.key),
      ],
    );
  }

  async addActive(
    manager: EntityManager,
    alerts: readonly StoredActiveAlert[],
    since: Date,
  ): Promise<void> {
    if (alerts.length === 0) return;
    await manager.query(
      `INSERT INTO active_alerts (account_id, api_key_id, condition_key, kind, alert_id, scope_start, since)
       SELECT account_id, api_key_id, condition_key, kind, alert_id, scope_start, $7
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
         AS r (account_id, api_key_id, condition_key, kind, alert_id, scope_start)`,
      [
        alerts.map((alert) => alert.accountId),
        alerts.map((alert) => alert.apiKeyId ?? ''),
        alerts.map((alert) => alert.key),
        alerts.map((alert) => alert.kind),
        alerts.map((alert) => alert.alertId),
        alerts.map((alert) => alert.scopeStart),
        since,
      ],
    );
  }

  /** Appends published alerts to the log, each with the exact text that was published. */
  async log(
    manager: EntityManager,
    alerts: ReadonlyArray<{ alert: AlertFired; body: string }>,
  ): Promise<void> {
    if (alerts.length === 0) return;
    await manager.query(
      `INSERT INTO alerts (account_id, alert_id, api_key_id, kind, state, resolves, body, at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])`,
      [
        alerts.map(({ alert }) => alert.account_id),
        alerts.map(({ alert }) => alert.id),
        alerts.map(({ alert }) => alert.api_key_id),
        alerts.map(({ alert }) => alert.kind),
        alerts.map(({ alert }) => alert.state),
        alerts.map(({ alert }) => alert.resolves ?? null),
        alerts.map(({ body }) => body),
        alerts.map(({ alert }) => alert.at),
      ],
    );
  }
}
