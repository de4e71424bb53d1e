import { Decimal } from 'decimal.js';
import { ALERT_LEVELS } from '../budget/alert-level';
import type { AlertLevel } from '../budget/alert-level';
import { projectedPeriodCost } from '../budget/projection';
import type { AlertKind } from '../events/alert-fired';
import { exactAvailablePercentOf } from '../events/balance-changed';
import type { BalanceChanged } from '../events/balance-changed';
import { formatAmount } from '../money/amount';
import { presentBooksAmount } from '../money/currency';
import { customThresholdKey } from './custom-threshold';
import type { CustomThreshold } from './custom-threshold';

/**
 * Something that holds for an account (or one of its API keys) and deserves an alert. Its
 * `key` is its identity inside the account and key: the kind, the threshold and, for the
 * kinds measured in a budget period, the period. At most one alert per key is active.
 */
export interface AlertCondition {
  readonly key: string;
  readonly kind: AlertKind;
  readonly level: AlertLevel;
  /** The spend percent (100 − available_percent) when the condition was seen. */
  readonly percent: number;
  readonly amount?: string;
  readonly periodStart: string | null;
  readonly message: string;
  /** A custom threshold's identity (customThresholdKey): the channels that set it get the alert. */
  readonly threshold?: string;
}

/** Where an account stands when a condition not measured on its balance is seen. */
export interface AccountStanding {
  readonly level: AlertLevel;
  readonly percent: number;
}

export const UNKNOWN_STANDING: AccountStanding = { level: 'GREEN', percent: 0 };

/** The kinds that a balance-changed record decides, and that a new period re-arms. */
export const BALANCE_ALERT_KINDS = [
  'threshold',
  'soft_limit',
  'hard_limit',
  'projected_overrun',
  'custom_threshold',
] as const satisfies readonly AlertKind[];

/** Spend percent as DESIGN 4 defines it: 100 − available_percent (prepaid credit lowers it). */
export function spendPercentOf(balance: Pick<BalanceChanged, 'available_percent'>): number {
  return 100 - balance.available_percent;
}

/** Spend percent on the record's exact figures: 100 − exact available_percent (holds are not spend). */
export function exactSpendPercentOf(
  balance: Pick<
    BalanceChanged,
    'allowance' | 'remaining' | 'extra_credit_remaining' | 'available_percent'
  >,
): Decimal {
  return new Decimal(100).minus(exactAvailablePercentOf(balance));
}

/**
 * The level is the ledger's, reckoned on the exact figures: the rounded available_percent
 * would say CRITICAL at 99.6 % spent, or YELLOW at 49.5 %.
 */
export function standingOf(
  balance: Pick<BalanceChanged, 'available_percent' | 'alert_level'>,
): AccountStanding {
  return { level: balance.alert_level, percent: spendPercentOf(balance) };
}

/** "acct_42" or "acct_42 (key key_7)". */
export function subjectOf(accountId: string, apiKeyId: string | null): string {
  return apiKeyId === null ? accountId : `${accountId} (key ${apiKeyId})`;
}

/**
 * A projection rounded to cents, unless the cents no longer show it above the allowance
 * (0.00135 against 0.001): then as it is.
 */
function presentProjection(projected: Decimal, allowance: Decimal): string {
  const cents = projected.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
  return presentBooksAmount(cents.greaterThan(allowance) ? cents : projected);
}

/**
 * The conditions a balance-changed record shows (DESIGN 4, Alerting): each level reached
 * (YELLOW at 50 % of spend, ORANGE 75, RED 90, CRITICAL 100), the soft and hard limits, a
 * projected period cost above the allowance, and the account's own thresholds (applied to
 * the account's balance, not to a key's; a percent one to the exact spend). All are measured
 * in the record's period.
 */
export function balanceConditions(
  balance: BalanceChanged,
  customThresholds: readonly CustomThreshold[] = [],
): AlertCondition[] {
  const subject = subjectOf(balance.account_id, balance.api_key_id);
  const { level, percent } = standingOf(balance);
  const periodStart = balance.period.start;
  const scoped = (name: string) => `${name}@${periodStart ?? 'open'}`;
  const used = new Decimal(balance.used);
  const allowance = new Decimal(balance.allowance);
  const base = { level, percent, periodStart };
  const conditions: AlertCondition[] = [];

  for (const reached of ALERT_LEVELS.slice(1, ALERT_LEVELS.indexOf(level) + 1)) {
    conditions.push({
      ...base,
      key: scoped(`threshold:${reached}`),
      kind: 'threshold',
      level: reached,
      message: `${subject}: ${percent}% of the period's funds spent (level ${reached})`,
    });
  }
  if (balance.over_soft_limit) {
    conditions.push({
      ...base,
      key: scoped('soft_limit'),
      kind: 'soft_limit',
      message: `${subject}: soft limit crossed, ${presentBooksAmount(used)} of ${presentBooksAmount(allowance)} used`,
    });
  }
  if (balance.over_hard_limit) {
    conditions.push({
      ...base,
      key: scoped('hard_limit'),
      kind: 'hard_limit',
      message: `${subject}: hard limit reached, ${presentBooksAmount(used)} of ${presentBooksAmount(allowance)} used; spending beyond it is refused`,
    });
  }
  const projected = projectedOverrun(balance);
  if (projected) {
    conditions.push({
      ...base,
      key: scoped('projected_overrun'),
      kind: 'projected_overrun',
      amount: formatAmount(projected),
      message: `${subject}: projected to spend about ${presentProjection(projected, allowance)} this period, above the allowance of ${presentBooksAmount(allowance)}`,
    });
  }
  if (balance.api_key_id === null) {
    // The rounded percent would say 50 % at 49.6 % spent.
    const spend = exactSpendPercentOf(balance);
    for (const threshold of customThresholds) {
      const reached =
        threshold.percent !== undefined
          ? threshold.percent.lessThanOrEqualTo(spend)
          : threshold.amount.lessThanOrEqualTo(used);
      if (!reached) continue;
      conditions.push({
        ...base,
        key: scoped(`custom_threshold:${customThresholdKey(threshold)}`),
        kind: 'custom_threshold',
        threshold: customThresholdKey(threshold),
        ...(threshold.amount !== undefined
          ? {
              amount: formatAmount(threshold.amount),
              message: `${subject}: spend threshold of ${presentBooksAmount(threshold.amount)} reached, ${presentBooksAmount(used)} spent this period`,
            }
          : {
              message: `${subject}: ${threshold.percent.toString()}% spend threshold reached, ${percent}% of the period's funds spent`,
            }),
      });
    }
  }
  return dedupeByKey(conditions);
}

/**
 * The projected period cost when it is above the allowance, measured at the record's time: the
 * ledger's own projection when the record carries it (it knows when a budget set mid-period
 * began counting, ADR 0099), else spend so far at the same rate over the whole period. Only a
 * bounded period with an allowance can be overrun.
 */
export function projectedOverrun(
  balance: Pick<BalanceChanged, 'allowance' | 'used' | 'period' | 'at' | 'projected_period_cost'>,
): Decimal | undefined {
  const allowance = new Decimal(balance.allowance);
  const { start, end } = balance.period;
  if (!allowance.greaterThan(0) || start === null || end === null) return undefined;
  const projected =
    balance.projected_period_cost !== undefined
      ? new Decimal(balance.projected_period_cost)
      : projectedPeriodCost(
          { start: new Date(start), end: new Date(end) },
          new Decimal(balance.used),
          new Date(balance.at),
        );
  return projected.greaterThan(allowance) ? projected : undefined;
}

/** Two channels naming the same threshold make one condition. */
function dedupeByKey(conditions: AlertCondition[]): AlertCondition[] {
  const seen = new Set<string>();
  return conditions.filter((condition) => !seen.has(condition.key) && seen.add(condition.key));
}
