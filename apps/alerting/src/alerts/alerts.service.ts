import { Injectable } from '@nestjs/common';
import { Topics } from '@tally/budget-domain';
import type { AlertKind } from '@tally/budget-domain';
import type { OutboxTransaction } from '@tally/messaging';
import { counter } from '@tally/platform';
import type { EntityManager } from 'typeorm';
import { ChannelsStore } from '../channels/channels.store';
import { DeliveriesStore } from '../deliveries/deliveries.store';
import { DeliveryWorker } from '../deliveries/delivery.worker';
import { AlertSession } from './alert-session';
import { AlertsStore } from './alerts.store';

const alertsPublished = counter(
  'tally_alerting_alerts_total',
  'Alerts published on alerts.fired, fired or resolved',
  ['kind', 'state'],
);

/**
 * Alerts of a consumed slice: `open` loads the accounts' active alerts and channels, the
 * consumer settles conditions on the session, `commit` stores the changes, logs and publishes
 * the alerts (outbox) and writes their deliveries, all in the slice's transaction, so a crash
 * loses no alert and a redelivered slice fires none twice.
 */
@Injectable()
export class AlertsService {
  constructor(
    private readonly store: AlertsStore,
    private readonly channels: ChannelsStore,
    private readonly deliveries: DeliveriesStore,
    private readonly worker: DeliveryWorker,
  ) {}

  async open(manager: EntityManager, accountIds: readonly string[]): Promise<AlertSession> {
    const unique = [...new Set(accountIds)];
    const active = await this.store.activeOf(manager, unique);
    const announced = active.flatMap((alert) =>
      alert.alertId ? [{ accountId: alert.accountId, alertId: alert.alertId }] : [],
    );
    return new AlertSession(
      active,
      await this.channels.forAccounts(manager, unique),
      await this.deliveries.channelsOf(manager, announced),
    );
  }

  /** The accounts (account level) with an active alert of this kind, and since when. */
  activeSince(
    manager: EntityManager,
    accountIds: readonly string[],
    kind: AlertKind,
  ): Promise<Map<string, Date | null>> {
    return this.store.activeSince(manager, accountIds, kind);
  }

  /** Writes the session in the transaction; returns what to do once it committed. */
  async commit(tx: OutboxTransaction, session: AlertSession, now: Date): Promise<() => void> {
    await this.store.removeActive(tx.manager, session.removed);
    await this.store.addActive(tx.manager, session.added, now);
    const published = session.published.map((alert) => ({ alert, body: JSON.stringify(alert) }));
    await this.store.log(tx.manager, published);
    await this.deliveries.enqueue(tx.manager, session.deliveries);
    for (const { alert } of published) tx.publish(Topics.AlertsFired, alert.account_id, alert);
    return () => {
      for (const { alert } of published)
        alertsPublished.inc({ kind: alert.kind, state: alert.state });
      if (session.deliveries.length > 0) this.worker.nudge();
    };
  }
}
