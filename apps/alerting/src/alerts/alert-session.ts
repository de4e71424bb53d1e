import { randomUUID } from 'node:crypto';
import {
  customThresholdKey,
  firedAlert,
  reconcileAlerts,
  resolvedAlert,
} from '@tally/budget-domain';
import type { AlertCondition, AlertFired, AlertKind, CustomThreshold } from '@tally/budget-domain';
import type { StoredChannel } from '../channels/channels.store';
import type { NewDelivery } from '../deliveries/deliveries.store';
import type { StoredActiveAlert } from './alerts.store';

export interface AlertSubject {
  readonly accountId: string;
  readonly apiKeyId: string | null;
}

/**
 * The alert state of the accounts of one consumed slice, changed in memory record by record
 * and written once (AlertsService.commit). Settling the conditions that hold for a subject
 * fires and resolves alerts and plans their deliveries: a fired alert goes to the channels of
 * the account that want its kind (a custom threshold only to the channels that set it), a
 * resolution to the channels its fired alert went to.
 */
export class AlertSession {
  readonly published: AlertFired[] = [];
  readonly deliveries: NewDelivery[] = [];
  private active: StoredActiveAlert[];
  private readonly loaded: ReadonlySet<StoredActiveAlert>;

  constructor(
    active: readonly StoredActiveAlert[],
    private readonly channels: ReadonlyMap<string, readonly StoredChannel[]>,
    private readonly sentTo: Map<string, string[]>,
  ) {
    this.active = [...active];
    this.loaded = new Set(active);
  }

  /** The active alerts of a subject among the given kinds. */
  activeOf(subject: AlertSubject, kinds: readonly AlertKind[]): StoredActiveAlert[] {
    return this.active.filter(
      (alert) =>
        alert.accountId === subject.accountId &&
        alert.apiKeyId === subject.apiKeyId &&
        kinds.includes(alert.kind),
    );
  }

  /**
   * Applies the conditions of the given kinds that hold for the subject now: those without
   * an active alert fire, active ones no longer holding resolve. Conditions of other kinds
   * are left alone (another consumer decides them).
   */
  settle(
    subject: AlertSubject,
    kinds: readonly AlertKind[],
    holding: readonly AlertCondition[],
    now: Date,
  ): void {
    const { resolve, fire } = reconcileAlerts(this.activeOf(subject, kinds), holding);
    for (const alert of resolve) {
      this.active = this.active.filter((candidate) => candidate !== alert);
      if (!alert.fired) continue;
      const sentTo = this.sentTo.get(alert.fired.id) ?? [];
      this.announce(
        resolvedAlert(alert.fired, newAlertId(), now),
        this.channelsOf(subject.accountId).filter((channel) => sentTo.includes(channel.channelId)),
      );
    }
    for (const { condition, announce } of fire) {
      const fired = announce ? firedAlert(condition, subject, newAlertId(), now) : null;
      if (fired) this.announce(fired, this.channelsWanting(subject.accountId, condition));
      this.active.push({
        accountId: subject.accountId,
        apiKeyId: subject.apiKeyId,
        key: condition.key,
        kind: condition.kind,
        alertId: fired?.id ?? null,
        scopeStart: condition.periodStart,
        fired,
      });
    }
  }

  /** The thresholds the account's channels set (each once: channels may share one). */
  customThresholdsOf(accountId: string): CustomThreshold[] {
    return this.channelsOf(accountId).flatMap((channel) => channel.customThresholds);
  }

  /** Active alerts that were stored and are no longer active. */
  get removed(): StoredActiveAlert[] {
    const current = new Set(this.active);
    return [...this.loaded].filter((alert) => !current.has(alert));
  }

  /** Active alerts that are new in this session. */
  get added(): StoredActiveAlert[] {
    return this.active.filter((alert) => !this.loaded.has(alert));
  }

  private announce(alert: AlertFired, channels: readonly StoredChannel[]): void {
    this.published.push(alert);
    this.sentTo.set(
      alert.id,
      channels.map((channel) => channel.channelId),
    );
    for (const channel of channels) {
      this.deliveries.push({
        accountId: alert.account_id,
        deliveryId: `dlv_${randomUUID()}`,
        alertId: alert.id,
        channelId: channel.channelId,
        channelType: channel.type,
      });
    }
  }

  private channelsOf(accountId: string): readonly StoredChannel[] {
    return this.channels.get(accountId) ?? [];
  }

  private channelsWanting(accountId: string, condition: AlertCondition): StoredChannel[] {
    return this.channelsOf(accountId).filter(
      (channel) =>
        (channel.kinds === null || channel.kinds.includes(condition.kind)) &&
        (condition.threshold === undefined ||
          channel.customThresholds.some(
            (threshold) => customThresholdKey(threshold) === condition.threshold,
          )),
    );
  }
}

function newAlertId(): string {
  return `alrt_${randomUUID()}`;
}
