import { Injectable } from '@nestjs/common';
import { parseCustomThreshold, presentCustomThreshold } from '@tally/budget-domain';
import type { AlertKind, CustomThreshold } from '@tally/budget-domain';
import { returningRows } from '@tally/persistence';
import type { EntityManager } from 'typeorm';

export const CHANNEL_TYPES = ['webhook', 'slack', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** A delivery channel of an account (DESIGN 2, alerting.set-channel). */
export interface StoredChannel {
  readonly accountId: string;
  readonly channelId: string;
  readonly type: ChannelType;
  /** The webhook URL or the email address. */
  readonly target: string;
  readonly signingSecret: string | null;
  /** null: every kind, including kinds added later. */
  readonly kinds: readonly AlertKind[] | null;
  readonly customThresholds: readonly CustomThreshold[];
}

interface ChannelRow {
  account_id: string;
  channel_id: string;
  type: ChannelType;
  target: string;
  signing_secret: string | null;
  kinds: AlertKind[] | null;
  custom_thresholds: unknown[];
}

/** Channels in SQL; every query is scoped to an account. */
@Injectable()
export class ChannelsStore {
  async save(manager: EntityManager, channel: StoredChannel): Promise<void> {
    await manager.query(
      `INSERT INTO channels (account_id, channel_id, type, target, signing_secret, kinds, custom_thresholds)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
       ON CONFLICT (account_id, channel_id) DO UPDATE SET
         type = EXCLUDED.type, target = EXCLUDED.target, signing_secret = EXCLUDED.signing_secret,
         kinds = EXCLUDED.kinds, custom_thresholds = EXCLUDED.custom_thresholds, updated_at = now()`,
      [
        channel.accountId,
        channel.channelId,
        channel.type,
        channel.target,
        channel.signingSecret,
        channel.kinds,
        JSON.stringify(channel.customThresholds.map(presentCustomThreshold)),
      ],
    );
  }

  /**
   * Holds the account's channel writes until this transaction ends, so that a count against
   * the limit sees a channel a concurrent command adds. No row exists for every account, so
   * the lock is an advisory one on its id.
   */
  async lockAccount(manager: EntityManager, scope: { accountId: string }): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `alerting.channels:${scope.accountId}`,
    ]);
  }

  /** The channel, locked for this transaction (an update keeps or replaces its secret). */
  async lock(
    manager: EntityManager,
    scope: { accountId: string },
    channelId: string,
  ): Promise<StoredChannel | undefined> {
    const rows = (await manager.query(
      `SELECT * FROM channels WHERE account_id = $1 AND channel_id = $2 FOR UPDATE`,
      [scope.accountId, channelId],
    )) as ChannelRow[];
    return rows[0] && toChannel(rows[0]);
  }

  async list(manager: EntityManager, scope: { accountId: string }): Promise<StoredChannel[]> {
    const rows = (await manager.query(
      `SELECT * FROM channels WHERE account_id = $1 ORDER BY created_at, channel_id`,
      [scope.accountId],
    )) as ChannelRow[];
    return rows.map(toChannel);
  }

  async count(manager: EntityManager, scope: { accountId: string }): Promise<number> {
    const rows = (await manager.query(
      `SELECT count(*)::int AS count FROM channels WHERE account_id = $1`,
      [scope.accountId],
    )) as Array<{ count: number }>;
    return rows[0]?.count ?? 0;
  }

  /**
   * Deletes a channel and, in the same statement, ends its open deliveries (dead and
   * dead-lettered, their leases dropped): a channel set again under this id must not get them.
   */
  async delete(
    manager: EntityManager,
    scope: { accountId: string },
    channelId: string,
  ): Promise<boolean> {
    const rows = await returningRows(
      manager,
      `WITH gone AS (
         DELETE FROM channels WHERE account_id = $1 AND channel_id = $2
         RETURNING account_id, channel_id
       ), ended AS (
         UPDATE deliveries d SET status = 'dead', last_error = 'the channel was deleted',
           lease_token = NULL, lease_until = NULL, updated_at = now()
         FROM gone
         WHERE d.account_id = gone.account_id AND d.channel_id = gone.channel_id
           AND d.status IN ('pending', 'retrying')
         RETURNING d.account_id, d.delivery_id, d.alert_id, d.channel_id, d.channel_type, d.attempts, d.last_error
       ), dead_lettered AS (
         INSERT INTO delivery_dead_letters (account_id, delivery_id, alert_id, channel_id, channel_type, attempts, last_error, body, dead_at)
         SELECT e.account_id, e.delivery_id, e.alert_id, e.channel_id, e.channel_type, e.attempts, e.last_error, a.body, now()
         FROM ended e JOIN alerts a ON a.account_id = e.account_id AND a.alert_id = e.alert_id
         ON CONFLICT DO NOTHING
       )
       SELECT channel_id FROM gone`,
      [scope.accountId, channelId],
    );
    return rows.length > 0;
  }

  /** The channels of many accounts at once (a consumer's slice), by account. */
  async forAccounts(
    manager: EntityManager,
    accountIds: readonly string[],
  ): Promise<Map<string, StoredChannel[]>> {
    const byAccount = new Map<string, StoredChannel[]>();
    if (accountIds.length === 0) return byAccount;
    const rows = (await manager.query(
      `SELECT * FROM channels WHERE account_id = ANY($1::text[]) ORDER BY account_id, created_at, channel_id`,
      [accountIds],
    )) as ChannelRow[];
    for (const row of rows) {
      const channels = byAccount.get(row.account_id) ?? [];
      channels.push(toChannel(row));
      byAccount.set(row.account_id, channels);
    }
    return byAccount;
  }
}

function toChannel(row: ChannelRow): StoredChannel {
  return {
    accountId: row.account_id,
    channelId: row.channel_id,
    type: row.type,
    target: row.target,
    signingSecret: row.signing_secret,
    kinds: row.kinds,
    customThresholds: row.custom_thresholds.map(parseCustomThreshold),
  };
}
