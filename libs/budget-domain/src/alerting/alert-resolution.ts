import { ALERT_LEVELS } from '../budget/alert-level';
import type { AlertFired, AlertKind } from '../events/alert-fired';
import { SCHEMA_VERSION } from '../events/wire';
import type { AlertCondition } from './alert-conditions';

/** An alert that fired and has not been resolved: at most one per condition key. */
export interface ActiveAlert {
  readonly key: string;
  readonly kind: AlertKind;
  /**
   * The alert announced for it; null when a higher level reached in the same step was
   * announced instead (a jump from 40 % to 95 % sends RED, not YELLOW, ORANGE and RED).
   */
  readonly alertId: string | null;
}

export interface ConditionToFire {
  readonly condition: AlertCondition;
  /** false: the condition becomes active without a message of its own. */
  readonly announce: boolean;
}

export interface AlertChanges<A extends ActiveAlert> {
  readonly resolve: A[];
  readonly fire: ConditionToFire[];
}

/**
 * What changes when the conditions that hold now meet the alerts still active: a condition
 * without an active alert fires; an active alert whose condition no longer holds (credit
 * bought, a new period: its key names the old one) resolves, which re-arms it. A condition
 * that keeps holding fires nothing, however often it is seen again.
 */
export function reconcileAlerts<A extends ActiveAlert>(
  active: readonly A[],
  holding: readonly AlertCondition[],
): AlertChanges<A> {
  const holdingKeys = new Set(holding.map((condition) => condition.key));
  const activeKeys = new Set(active.map((alert) => alert.key));
  const fresh = holding.filter((condition) => !activeKeys.has(condition.key));
  const highestLevel = Math.max(
    -1,
    ...fresh
      .filter((condition) => condition.kind === 'threshold')
      .map((condition) => ALERT_LEVELS.indexOf(condition.level)),
  );
  return {
    resolve: active.filter((alert) => !holdingKeys.has(alert.key)),
    fire: fresh.map((condition) => ({
      condition,
      announce:
        condition.kind !== 'threshold' || ALERT_LEVELS.indexOf(condition.level) === highestLevel,
    })),
  };
}

/** The alerts.fired record of a condition that fired (DESIGN 3.5). */
export function firedAlert(
  condition: AlertCondition,
  subject: { readonly accountId: string; readonly apiKeyId: string | null },
  id: string,
  at: Date,
): AlertFired {
  return {
    schema_version: SCHEMA_VERSION,
    id,
    account_id: subject.accountId,
    api_key_id: subject.apiKeyId,
    kind: condition.kind,
    state: 'fired',
    level: condition.level,
    percent: condition.percent,
    ...(condition.amount !== undefined ? { amount: condition.amount } : {}),
    period_start: condition.periodStart,
    message: condition.message,
    at: at.toISOString(),
  };
}

/** The same alert once more, resolved: an id of its own, `resolves` naming the fired one. */
export function resolvedAlert(fired: AlertFired, id: string, at: Date): AlertFired {
  return {
    ...fired,
    id,
    state: 'resolved',
    resolves: fired.id,
    message: `Resolved: ${fired.message}`,
    at: at.toISOString(),
  };
}
