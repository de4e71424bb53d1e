import { Decimal } from 'decimal.js';
import { BUDGET_DEFAULTS } from './budget-definition';
import type { BudgetDefinition } from './budget-definition';

/** A budget definition for tests: 100 a month from the 1st, created 2026-11-01, defaults elsewhere. */
export function budgetDefinition(overrides: Partial<BudgetDefinition> = {}): BudgetDefinition {
  return {
    period: 'monthly',
    resetDay: 1,
    limit: new Decimal('100'),
    softLimitPercent: BUDGET_DEFAULTS.softLimitPercent,
    hardLimit: true,
    overageLimit: BUDGET_DEFAULTS.overageLimit,
    rolloverMaxPercent: BUDGET_DEFAULTS.rolloverMaxPercent,
    prorate: false,
    createdAt: new Date('2026-11-01T00:00:00Z'),
    gracePeriodHours: 0,
    active: true,
    ...overrides,
  };
}
