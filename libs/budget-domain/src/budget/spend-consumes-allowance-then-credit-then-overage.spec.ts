import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { allocateSpend } from './spend-allocation';

const d = (value: string) => new Decimal(value);
const strings = (allocation: ReturnType<typeof allocateSpend>) => ({
  fromAllowance: allocation.fromAllowance.toFixed(),
  fromCredit: allocation.fromCredit.toFixed(),
  toOverage: allocation.toOverage.toFixed(),
});

describe('spend consumes allowance, then prepaid credit, then overage', () => {
  it('takes from the allowance first', () => {
    expect(
      strings(allocateSpend(d('3'), { allowanceRemaining: d('10'), creditRemaining: d('5') })),
    ).toEqual({ fromAllowance: '3', fromCredit: '0', toOverage: '0' });
  });

  it('moves on to credit when the allowance runs out', () => {
    expect(
      strings(allocateSpend(d('3'), { allowanceRemaining: d('1.25'), creditRemaining: d('5') })),
    ).toEqual({ fromAllowance: '1.25', fromCredit: '1.75', toOverage: '0' });
  });

  it('records the rest as overage when both are gone, and never draws on negative credit', () => {
    expect(
      strings(allocateSpend(d('3'), { allowanceRemaining: d('1'), creditRemaining: d('0.5') })),
    ).toEqual({ fromAllowance: '1', fromCredit: '0.5', toOverage: '1.5' });
    expect(
      strings(allocateSpend(d('2'), { allowanceRemaining: d('0'), creditRemaining: d('-4') })),
    ).toEqual({ fromAllowance: '0', fromCredit: '0', toOverage: '2' });
  });

  it('refuses a negative cost', () => {
    expect(() =>
      allocateSpend(d('-1'), { allowanceRemaining: d('1'), creditRemaining: d('1') }),
    ).toThrow(RangeError);
  });

  it('property: the three parts add up to the cost and none is negative', () => {
    const amount = fc
      .bigInt({ min: 0n, max: 10n ** 18n })
      .map((units) => new Decimal(units.toString()).dividedBy(1e12));
    fc.assert(
      fc.property(
        amount,
        amount,
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        (cost, allowance, creditUnits) => {
          const allocation = allocateSpend(cost, {
            allowanceRemaining: allowance,
            creditRemaining: new Decimal(creditUnits.toString()).dividedBy(1e6),
          });
          expect(
            allocation.fromAllowance
              .plus(allocation.fromCredit)
              .plus(allocation.toOverage)
              .equals(cost),
          ).toBe(true);
          for (const part of Object.values(allocation))
            expect(part.isNegative() && !part.isZero()).toBe(false);
          expect(allocation.fromAllowance.lessThanOrEqualTo(allowance)).toBe(true);
        },
      ),
    );
  });
});
