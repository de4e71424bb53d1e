import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { checkAffordability } from './affordability';
import type { SpendLimits } from './affordability';
import { computeBudgetStatus } from './budget-status';
import { allocateSpend } from './spend-allocation';

const d = (value: string) => new Decimal(value);
const flush: SpendLimits = {
  status: computeBudgetStatus({
    allowance: d('0'),
    used: d('0'),
    allowanceRemaining: d('0'),
    creditRemaining: d('1000'),
    creditBase: d('1000'),
    overage: d('0'),
    holds: d('0'),
  }),
  validity: 'active',
  hardLimit: true,
  overageLimit: d('0'),
};

describe('a monthly cap refuses spending past it, and usage that still comes is overage', () => {
  const cap = { cap: d('50'), charged: d('45'), held: d('3') };

  it('allows a cost up to the cap, counting this month’s charges and live holds', () => {
    expect(
      checkAffordability({ cost: d('2'), accountActive: true, account: flush, monthlyCap: cap }),
    ).toEqual({ affordable: true });
    expect(
      checkAffordability({ cost: d('2.01'), accountActive: true, account: flush, monthlyCap: cap }),
    ).toEqual({
      affordable: false,
      errorCode: 'MONTHLY_CAP_REACHED',
      message: 'the monthly cap of 50.00 USD leaves 2.00 USD this month',
    });
  });

  it('names the cap before the funds (no top-up lifts it), after an inactive account', () => {
    const broke = { ...flush, status: { ...flush.status, available: d('0') } };
    const reached = { cap: d('50'), charged: d('51'), held: d('0') };
    expect(
      checkAffordability({
        cost: d('1'),
        accountActive: true,
        account: broke,
        monthlyCap: reached,
      }),
    ).toMatchObject({
      errorCode: 'MONTHLY_CAP_REACHED',
      message: 'the monthly cap of 50.00 USD leaves 0.00 USD this month',
    });
    expect(
      checkAffordability({
        cost: d('1'),
        accountActive: false,
        account: flush,
        monthlyCap: reached,
      }),
    ).toMatchObject({ errorCode: 'ACCOUNT_INACTIVE' });
  });

  it('funds usage up to the cap as usual and posts the part past it as overage', () => {
    const split = allocateSpend(d('5'), {
      allowanceRemaining: d('1'),
      creditRemaining: d('100'),
      capRemaining: d('3'),
    });
    expect(
      [split.fromAllowance, split.fromCredit, split.toOverage].map((x) => x.toFixed()),
    ).toEqual(['1', '2', '2']);
    const past = allocateSpend(d('5'), {
      allowanceRemaining: d('10'),
      creditRemaining: d('100'),
      capRemaining: d('0'),
    });
    expect(past.toOverage.toFixed()).toBe('5');
  });

  it('property: the parts add up to the cost and nothing past the cap is funded', () => {
    const amount = fc
      .bigInt({ min: 0n, max: 10n ** 15n })
      .map((units) => new Decimal(units.toString()).dividedBy(1e9));
    fc.assert(
      fc.property(amount, amount, amount, amount, (cost, allowance, credit, capRemaining) => {
        const split = allocateSpend(cost, {
          allowanceRemaining: allowance,
          creditRemaining: credit,
          capRemaining,
        });
        expect(split.fromAllowance.plus(split.fromCredit).plus(split.toOverage).equals(cost)).toBe(
          true,
        );
        expect(split.fromAllowance.plus(split.fromCredit).lessThanOrEqualTo(capRemaining)).toBe(
          true,
        );
        expect(split.toOverage.isNegative()).toBe(false);
      }),
    );
  });
});
