import { Decimal } from 'decimal.js';
import { alertLevelFor } from '../budget/alert-level';
import type { AlertFired } from '../events/alert-fired';
import type { BalanceChanged } from '../events/balance-changed';
import type { AlertCondition } from './alert-conditions';
import { firedAlert, reconcileAlerts, resolvedAlert } from './alert-resolution';
import type { ActiveAlert } from './alert-resolution';

/** A balance-changed record (DESIGN 3.3) of acct_1 in the November 2026 period, 100 allowance. */
export function balance(overrides: Partial<BalanceChanged> = {}): BalanceChanged {
  const availablePercent = overrides.available_percent ?? 100;
  return {
    schema_version: 1,
    account_id: 'acct_1',
    api_key_id: null,
    sequence: 1,
    period: { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' },
    allowance: '100.000000',
    used: '0.000000',
    remaining: '100.000000',
    extra_credit_remaining: '0.000000',
    available: '100.000000',
    available_percent: 100,
    // As the ledger would say it; a spec of the rounding edges names its own.
    alert_level: alertLevelFor(new Decimal(100 - availablePercent)),
    over_soft_limit: false,
    over_hard_limit: false,
    overage: '0.000000',
    cause: { transaction_id: 'tx_1', kind: 'usage' },
    // An hour before the period ends, so the projection adds almost nothing to the spend.
    at: '2026-11-30T23:00:00.000Z',
    ...overrides,
  };
}

/** acct_1 having spent `used` of its 100 allowance (no credit). */
export function spent(used: number, overrides: Partial<BalanceChanged> = {}): BalanceChanged {
  return balance({
    used: used.toFixed(6),
    remaining: Math.max(0, 100 - used).toFixed(6),
    available: Math.max(0, 100 - used).toFixed(6),
    available_percent: Math.max(0, 100 - used),
    ...overrides,
  });
}

/**
 * Active alerts kept the way the alerting service keeps them, for specs of the rules: each
 * step reconciles the conditions that hold and records what was published.
 */
export class AlertBook {
  readonly published: AlertFired[] = [];
  private active: Array<ActiveAlert & { fired: AlertFired | null }> = [];
  private nextId = 1;

  see(holding: readonly AlertCondition[], at = new Date('2026-11-20T00:00:00Z')): AlertFired[] {
    const { resolve, fire } = reconcileAlerts(this.active, holding);
    const out: AlertFired[] = [];
    for (const alert of resolve) {
      if (alert.fired) out.push(resolvedAlert(alert.fired, `alrt_${this.nextId++}`, at));
    }
    this.active = this.active.filter((alert) => !resolve.includes(alert));
    for (const { condition, announce } of fire) {
      const fired = announce
        ? firedAlert(
            condition,
            { accountId: 'acct_1', apiKeyId: null },
            `alrt_${this.nextId++}`,
            at,
          )
        : null;
      if (fired) out.push(fired);
      this.active.push({
        key: condition.key,
        kind: condition.kind,
        alertId: fired?.id ?? null,
        fired,
      });
    }
    this.published.push(...out);
    return out;
  }

  get activeKeys(): string[] {
    return this.active.map((alert) => alert.key);
  }
}
