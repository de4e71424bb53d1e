import { Injectable } from '@nestjs/common';
import { returningRows } from '@tally/persistence';
import type { EntityManager } from 'typeorm';
import type { ChannelType } from '../channels/channels.store';

export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'dead';

/** A delivery to create with its alert: one per (alert, channel). */
export interface NewDelivery {
  readonly accountId: string;
  readonly deliveryId: string;
  readonly alertId: string;
  readonly channelId: string;
  readonly channelType: ChannelType;
}

/** One attempt at a delivery, under the lease its claim took. */
export interface LeasedAttempt {
  readonly accountId: string;
  readonly deliveryId: string;
  readonly channelId: string;
  /** Attempts so far, this one included. */
  readonly attempts: number;
  readonly leaseToken: string;
}

/** A delivery this instance holds for one attempt, with what to send and where. */
export interface ClaimedDelivery extends LeasedAttempt {
  readonly alertId: string;
  /** The alerts.fired payload as published. */
  readonly body: string;
  /** The channel as it is now; undefined when it was deleted since the alert fired. */
  readonly channel?: {
    readonly type: ChannelType;
    readonly target: string;
    readonly signingSecret: string | null;
  };
}

/** An attempt whose lease ran out before its outcome was recorded. */
export interface ExpiredLease extends LeasedAttempt {
  readonly channelType: ChannelType;
}

export type AttemptOutcome =
  | { readonly status: 'delivered' }
  | { readonly status: 'retrying'; readonly error: string; readonly retryInMs: number }
  | { readonly status: 'dead'; readonly error: string };

export interface HistoryRow {
  seq: string;
  alert_id: string;
  kind: string;
  state: string;
  at: Date;
  channel_id: string;
  delivery_id: string;
  channel_type: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  delivered_at: Date | null;
}

const OPEN = `('pending', 'retrying')`;

/** Deliveries in SQL: the queue the worker claims from, and the history an account reads. */
@Injectable()
export class DeliveriesStore {
  async enqueue(manager: EntityManager, deliveries: readonly NewDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const column = <T>(pick: (delivery: NewDelivery) => T) => deliveries.map(pick);
    await manager.query(
      `INSERT INTO deliveries (account_id, delivery_id, alert_id, channel_id, channel_type, status, next_attempt_at)
       SELECT account_id, delivery_id, alert_id, channel_id, channel_type, 'pending', now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         AS d (account_id, delivery_id, alert_id, channel_id, channel_type)`,
      [
        column((d) => d.accountId),
        column((d) => d.deliveryId),
        column((d) => d.alertId),
        column((d) => d.channelId),
        column((d) => d.channelType),
      ],
    );
  }

  /** The channels each alert was sent to (a resolution goes to the same ones). */
  async channelsOf(
    manager: EntityManager,
    alerts: ReadonlyArray<{ accountId: string; alertId: string }>,
  ): Promise<Map<string, string[]>> {
    const byAlert = new Map<string, string[]>();
    if (alerts.length === 0) return byAlert;
    const rows = (await manager.query(
      `SELECT d.alert_id, d.channel_id FROM deliveries d
       JOIN unnest($1::text[], $2::text[]) AS a (account_id, alert_id)
         ON d.account_id = a.account_id AND d.alert_id = a.alert_id
       ORDER BY d.alert_id, d.channel_id`,
      [alerts.map((alert) => alert.accountId), alerts.map((alert) => alert.alertId)],
    )) as Array<{ alert_id: string; channel_id: string }>;
    for (const row of rows) {
      byAlert.set(row.alert_id, [...(byAlert.get(row.alert_id) ?? []), row.channel_id]);
    }
    return byAlert;
  }

  /**
   * Claims up to `limit` due deliveries for one attempt each, leased to `leaseToken` for
   * `leaseMs`: the first due delivery of each channel that has none in flight anywhere (a
   * slow channel holds back only itself), never a resolution before the alert it resolves,
   * rows other instances are claiming skipped, and no more than `perAccount` in flight for one
   * account. A crashed instance's lease runs out, its attempt is recorded as failed, and the
   * delivery is retried as any failure is, with the same delivery id.
   */
  async claim(
    manager: EntityManager,
    limit: number,
    leaseToken: string,
    leaseMs: number,
    perAccount: number,
  ): Promise<ClaimedDelivery[]> {
    const claimed = await returningRows<{ account_id: string; delivery_id: string }>(
      manager,
      `WITH candidates AS MATERIALIZED (
         SELECT account_id, delivery_id, next_attempt_at FROM (
           SELECT d.account_id, d.delivery_id, d.next_attempt_at,
                  row_number() OVER (PARTITION BY d.account_id, d.channel_id
                                     ORDER BY d.next_attempt_at, d.created_at, d.delivery_id) AS turn
           FROM deliveries d
           JOIN alerts a ON a.account_id = d.account_id AND a.alert_id = d.alert_id
           WHERE d.status IN ${OPEN} AND d.next_attempt_at <= now()
             AND NOT EXISTS (
               SELECT 1 FROM deliveries busy
               WHERE busy.account_id = d.account_id AND busy.channel_id = d.channel_id
                 AND busy.status IN ${OPEN} AND busy.lease_until > now())
             -- A resolution waits until the alert it resolves is delivered (or dead) on this channel.
             AND NOT EXISTS (
               SELECT 1 FROM deliveries fired
               WHERE fired.account_id = d.account_id AND fired.channel_id = d.channel_id
                 AND fired.alert_id = a.resolves AND fired.status IN ${OPEN})
         ) due
         WHERE turn = 1
       ), fair AS MATERIALIZED (
         -- One account's many silent receivers must not take every slot (ADR 0086).
         SELECT account_id, delivery_id, next_attempt_at FROM (
           SELECT c.*, row_number() OVER (PARTITION BY c.account_id
                                          ORDER BY c.next_attempt_at, c.delivery_id) AS account_turn
           FROM candidates c
         ) ranked
         WHERE account_turn + (
           SELECT count(*) FROM deliveries busy
           WHERE busy.account_id = ranked.account_id
             AND busy.status IN ${OPEN} AND busy.lease_until > now()) <= $4
         ORDER BY next_attempt_at LIMIT $1
       ), locked AS (
         SELECT d.account_id, d.delivery_id FROM deliveries d
         JOIN fair c ON c.account_id = d.account_id AND c.delivery_id = d.delivery_id
         -- A lease that ran out is first recorded as a failed attempt (expiredLeases).
         WHERE d.status IN ${OPEN} AND d.lease_token IS NULL
         FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE deliveries d
       SET attempts = d.attempts + 1, lease_token = $2,
           lease_until = now() + $3 * interval '1 millisecond', updated_at = now()
       FROM locked
       WHERE d.account_id = locked.account_id AND d.delivery_id = locked.delivery_id
       RETURNING d.account_id, d.delivery_id`,
      [limit, leaseToken, leaseMs, perAccount],
    );
    if (claimed.length === 0) return [];
    const rows = (await manager.query(
      `SELECT d.account_id, d.delivery_id, d.alert_id, d.channel_id, d.attempts, a.body,
              c.type AS channel_type, c.target, c.signing_secret
       FROM unnest($1::text[], $2::text[]) AS k (account_id, delivery_id)
       JOIN deliveries d ON d.account_id = k.account_id AND d.delivery_id = k.delivery_id
       JOIN alerts a ON a.account_id = d.account_id AND a.alert_id = d.alert_id
       LEFT JOIN channels c ON c.account_id = d.account_id AND c.channel_id = d.channel_id`,
      [claimed.map((row) => row.account_id), claimed.map((row) => row.delivery_id)],
    )) as Array<{
      account_id: string;
      delivery_id: string;
      alert_id: string;
      channel_id: string;
      attempts: number;
      body: string;
      channel_type: ChannelType | null;
      target: string | null;
      signing_secret: string | null;
    }>;
    return rows.map((row) => ({
      accountId: row.account_id,
      deliveryId: row.delivery_id,
      alertId: row.alert_id,
      channelId: row.channel_id,
      attempts: row.attempts,
      leaseToken,
      body: row.body,
      ...(row.channel_type !== null && row.target !== null
        ? {
            channel: {
              type: row.channel_type,
              target: row.target,
              signingSecret: row.signing_secret,
            },
          }
        : {}),
    }));
  }

  /**
   * Open deliveries whose lease ran out with no outcome recorded: their instance stopped, or
   * could not record it (the attempt itself has ended, ADR 0090).
   */
  async expiredLeases(manager: EntityManager, limit: number): Promise<ExpiredLease[]> {
    const rows = (await manager.query(
      // A leased delivery was due when it was claimed: the due index finds it.
      `SELECT account_id, delivery_id, channel_id, channel_type, attempts, lease_token FROM deliveries
       WHERE status IN ${OPEN} AND next_attempt_at <= now() AND lease_until <= now()
       ORDER BY lease_until LIMIT $1`,
      [limit],
    )) as Array<{
      account_id: string;
      delivery_id: string;
      channel_id: string;
      channel_type: ChannelType;
      attempts: number;
      lease_token: string;
    }>;
    return rows.map((row) => ({
      accountId: row.account_id,
      deliveryId: row.delivery_id,
      channelId: row.channel_id,
      channelType: row.channel_type,
      attempts: row.attempts,
      leaseToken: row.lease_token,
    }));
  }

  /**
   * Records an attempt's outcome, if its lease is still the delivery's (false otherwise: the
   * lease ran out and the attempt was recorded as failed, or the channel was deleted). A dead
   * delivery is also written to the dead-letter table, with what was to be sent.
   */
  async finish(
    manager: EntityManager,
    delivery: LeasedAttempt,
    outcome: AttemptOutcome,
  ): Promise<boolean> {
    const updated = await returningRows(
      manager,
      `UPDATE deliveries SET
         status = $4,
         last_error = CASE WHEN $4 = 'delivered' THEN last_error ELSE $5 END,
         next_attempt_at = CASE WHEN $4 = 'retrying' THEN now() + $6 * interval '1 millisecond' ELSE next_attempt_at END,
         delivered_at = CASE WHEN $4 = 'delivered' THEN now() ELSE delivered_at END,
         lease_token = NULL, lease_until = NULL, updated_at = now()
       WHERE account_id = $1 AND delivery_id = $2 AND lease_token = $3
       RETURNING delivery_id`,
      [
        delivery.accountId,
        delivery.deliveryId,
        delivery.leaseToken,
        outcome.status,
        outcome.status === 'delivered' ? null : outcome.error,
        outcome.status === 'retrying' ? outcome.retryInMs : 0,
      ],
    );
    if (updated.length === 0) return false;
    if (outcome.status === 'dead') {
      await manager.query(
        `INSERT INTO delivery_dead_letters (account_id, delivery_id, alert_id, channel_id, channel_type, attempts, last_error, body, dead_at)
         SELECT d.account_id, d.delivery_id, d.alert_id, d.channel_id, d.channel_type, d.attempts, d.last_error, a.body, now()
         FROM deliveries d JOIN alerts a ON a.account_id = d.account_id AND a.alert_id = d.alert_id
         WHERE d.account_id = $1 AND d.delivery_id = $2
         ON CONFLICT DO NOTHING`,
        [delivery.accountId, delivery.deliveryId],
      );
    }
    return true;
  }

  /** An account's deliveries, newest alert first (an alert no channel took has none). */
  async history(
    manager: EntityManager,
    scope: { accountId: string },
    after: { seq: string; deliveryId: string } | null,
    limit: number,
  ): Promise<HistoryRow[]> {
    return (await manager.query(
      `SELECT a.seq::text AS seq, a.alert_id, a.kind, a.state, a.at,
              d.channel_id, d.delivery_id, d.channel_type, d.status, d.attempts, d.last_error, d.delivered_at
       FROM alerts a
       JOIN deliveries d ON d.account_id = a.account_id AND d.alert_id = a.alert_id
       WHERE a.account_id = $1
         AND ($2::bigint IS NULL OR (a.seq, d.delivery_id) < ($2::bigint, $3::text))
       ORDER BY a.seq DESC, d.delivery_id DESC
       LIMIT $4`,
      [scope.accountId, after?.seq ?? null, after?.deliveryId ?? '', limit],
    )) as HistoryRow[];
  }
}
