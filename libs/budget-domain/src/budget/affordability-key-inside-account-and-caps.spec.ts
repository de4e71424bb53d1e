import { Decimal } from 'decimal.js';
import { checkAffordability } from './affordability';
import type { SpendLimits } from './affordability';
import { computeBudgetStatus } from './budget-status';
import type { BalanceFacts } from './budget-status';
import { projectedPeriodCost } from './projection';

const d = (value: string) => new Decimal(value);
const limits = (
  facts: Partial<BalanceFacts>,
  overrides: Partial<SpendLimits> = {},
): SpendLimits => ({
  status: computeBudgetStatus({
    allowance: d('0'),
    used: d('0'),
    allowanceRemaining: d('0'),
    creditRemaining: d('0'),
    creditBase: d('0'),
    overage: d('0'),
    holds: d('0'),
    ...facts,
  }),
  validity: 'active',
  hardLimit: true,
  overageLimit: d('0'),
  ...overrides,
});

describe('affordability', () => {
  const healthy = limits({ allowance: d('100'), allowanceRemaining: d('60'), used: d('40') });

  it('allows a cost that fits the available funds, and refuses one that does not', () => {
    expect(checkAffordability({ cost: d('60'), accountActive: true, account: healthy })).toEqual({
      affordable: true,
    });
    expect(
      checkAffordability({ cost: d('60.01'), accountActive: true, account: healthy }),
    ).toMatchObject({ affordable: false, errorCode: 'BUDGET_EXHAUSTED' });
  });

  it('a key budget blocks while its account still has room: the spend must fit both', () => {
    const key = limits({ allowance: d('10'), allowanceRemaining: d('0.50'), used: d('9.50') });
    expect(
      checkAffordability({ cost: d('1'), accountActive: true, account: healthy, key }),
    ).toMatchObject({
      affordable: false,
      errorCode: 'API_KEY_BUDGET_EXHAUSTED',
    });
    expect(
      checkAffordability({ cost: d('0.01'), accountActive: true, account: healthy, key }),
    ).toEqual({ affordable: true });
  });

  it('lets a hard limit stretch by the overage limit, and a soft-only budget never blocks', () => {
    // Past 100 % the account is CRITICAL, so the 0.01 cap applies on top of the overage headroom.
    const withOverage = limits(
      { allowance: d('100'), allowanceRemaining: d('0'), used: d('103'), overage: d('3') },
      { overageLimit: d('5') },
    );
    expect(
      checkAffordability({ cost: d('0.009'), accountActive: true, account: withOverage }),
    ).toEqual({ affordable: true });
    const nearlyUsedUp = limits(
      { allowance: d('100'), allowanceRemaining: d('0'), used: d('104.995'), overage: d('4.995') },
      { overageLimit: d('5') },
    );
    expect(
      checkAffordability({ cost: d('0.006'), accountActive: true, account: nearlyUsedUp }),
    ).toMatchObject({ errorCode: 'BUDGET_EXHAUSTED' });
    expect(
      checkAffordability({ cost: d('0.005'), accountActive: true, account: nearlyUsedUp }),
    ).toEqual({ affordable: true });
    const noHeadroom = limits({ allowance: d('100'), allowanceRemaining: d('0'), used: d('100') });
    expect(
      checkAffordability({ cost: d('0.001'), accountActive: true, account: noHeadroom }),
    ).toMatchObject({ errorCode: 'BUDGET_EXHAUSTED' });
    const softOnly = limits(
      { allowance: d('100'), allowanceRemaining: d('0'), used: d('150'), overage: d('50') },
      { hardLimit: false },
    );
    expect(
      checkAffordability({ cost: d('0.001'), accountActive: true, account: softOnly }),
    ).toEqual({ affordable: true });
  });

  it('in RED only calls below 0.05, in CRITICAL below 0.01, when the account runs on allowance alone', () => {
    const red = limits({ allowance: d('100'), allowanceRemaining: d('5'), used: d('95') });
    expect(checkAffordability({ cost: d('0.049'), accountActive: true, account: red })).toEqual({
      affordable: true,
    });
    expect(
      checkAffordability({ cost: d('0.05'), accountActive: true, account: red }),
    ).toMatchObject({ errorCode: 'BUDGET_EXHAUSTED' });
    const critical = limits(
      { allowance: d('100'), allowanceRemaining: d('0'), used: d('100') },
      { overageLimit: d('10') },
    );
    expect(
      checkAffordability({ cost: d('0.009'), accountActive: true, account: critical }),
    ).toEqual({ affordable: true });
    expect(
      checkAffordability({ cost: d('0.01'), accountActive: true, account: critical }),
    ).toMatchObject({ errorCode: 'BUDGET_EXHAUSTED' });
    const redWithCredit = limits({
      allowance: d('100'),
      allowanceRemaining: d('0'),
      used: d('100'),
      creditRemaining: d('5'),
    });
    expect(
      checkAffordability({ cost: d('1'), accountActive: true, account: redWithCredit }),
    ).toEqual({ affordable: true });
  });

  it('refuses inactive accounts and expired budgets first', () => {
    expect(
      checkAffordability({ cost: d('1'), accountActive: false, account: healthy }),
    ).toMatchObject({ errorCode: 'ACCOUNT_INACTIVE' });
    expect(
      checkAffordability({
        cost: d('1'),
        accountActive: true,
        account: { ...healthy, validity: 'expired' },
      }),
    ).toMatchObject({ errorCode: 'BUDGET_EXPIRED' });
    expect(
      checkAffordability({
        cost: d('1'),
        accountActive: true,
        account: healthy,
        key: { ...healthy, validity: 'expired' },
      }),
    ).toMatchObject({ errorCode: 'BUDGET_EXPIRED' });
    expect(
      checkAffordability({
        cost: d('1'),
        accountActive: true,
        account: { ...healthy, validity: 'inactive' },
      }),
    ).toMatchObject({ errorCode: 'ACCOUNT_INACTIVE' });
    expect(
      checkAffordability({
        cost: d('1'),
        accountActive: true,
        account: { ...healthy, validity: 'in_grace' },
      }),
    ).toEqual({ affordable: true });
  });
});

describe('projection', () => {
  const period = { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') };

  it('projects the period cost from the spend rate so far', () => {
    expect(projectedPeriodCost(period, d('10'), new Date('2026-11-11T00:00:00Z')).toFixed()).toBe(
      '30',
    );
    expect(projectedPeriodCost(period, d('10'), new Date('2026-11-01T00:30:00Z')).toFixed()).toBe(
      '10',
    );
    expect(projectedPeriodCost(period, d('10'), new Date('2026-12-05T00:00:00Z')).toFixed()).toBe(
      '10',
    );
    expect(projectedPeriodCost({ start: null, end: null }, d('7'), new Date()).toFixed()).toBe('7');
    // A budget created on Nov 21 counts from then: 10 in 5 of its 10 days projects 20.
    const created = new Date('2026-11-21T00:00:00Z');
    expect(
      projectedPeriodCost(period, d('10'), new Date('2026-11-26T00:00:00Z'), created).toFixed(),
    ).toBe('20');
  });
});
