import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { computeBudgetStatus, presentPercent } from './budget-status';
import type { BalanceFacts } from './budget-status';

const d = (value: string) => new Decimal(value);
const facts = (overrides: Partial<BalanceFacts>): BalanceFacts => ({
  allowance: d('0'),
  used: d('0'),
  allowanceRemaining: d('0'),
  creditRemaining: d('0'),
  creditBase: d('0'),
  overage: d('0'),
  holds: d('0'),
  ...overrides,
});

describe('budget status figures', () => {
  it('an allowance of 100 with 30 used is 70 % available, GREEN', () => {
    const status = computeBudgetStatus(
      facts({ allowance: d('100'), used: d('30'), allowanceRemaining: d('70') }),
    );
    expect(status.available.toFixed()).toBe('70');
    expect(presentPercent(status.availablePercent)).toBe(70);
    expect(status.alertLevel).toBe('GREEN');
    expect(status.recommendedStrategy).toBe('QUALITY_FIRST');
    expect(status.overSoftLimit).toBe(false);
  });

  it('prepaid credit on top of the allowance pushes available_percent to 130', () => {
    const status = computeBudgetStatus(
      facts({ allowance: d('100'), allowanceRemaining: d('100'), creditRemaining: d('30') }),
    );
    expect(presentPercent(status.availablePercent)).toBe(130);
    expect(status.alertLevel).toBe('GREEN');
  });

  it('credit far above a tiny allowance is presented as the largest safe integer, not 10^17', () => {
    const status = computeBudgetStatus(
      facts({
        allowance: d('0.000000000001'),
        allowanceRemaining: d('0.000000000001'),
        creditRemaining: d('1000'),
      }),
    );
    expect(status.availablePercent.toFixed()).toBe('100000000000000100');
    expect(presentPercent(status.availablePercent)).toBe(Number.MAX_SAFE_INTEGER);
    expect(presentPercent(d('-100000000000000100'))).toBe(-Number.MAX_SAFE_INTEGER);
    expect(presentPercent(d('9007199254740990.5'))).toBe(9007199254740990);
    expect(status.alertLevel).toBe('GREEN');
  });

  it('holds reduce available but not the level', () => {
    const status = computeBudgetStatus(
      facts({ allowance: d('100'), used: d('40'), allowanceRemaining: d('60'), holds: d('55') }),
    );
    expect(status.available.toFixed()).toBe('5');
    expect(status.alertLevel).toBe('GREEN');
  });

  it('warns past the soft limit (default 80 %) and flags the hard limit at 100 %', () => {
    const soft = computeBudgetStatus(
      facts({ allowance: d('100'), used: d('80'), allowanceRemaining: d('20'), hardLimit: true }),
    );
    expect(soft).toMatchObject({ overSoftLimit: true, overHardLimit: false, alertLevel: 'ORANGE' });
    const custom = computeBudgetStatus(
      facts({
        allowance: d('100'),
        used: d('60'),
        allowanceRemaining: d('40'),
        softLimitPercent: d('60'),
      }),
    );
    expect(custom.overSoftLimit).toBe(true);
    const hard = computeBudgetStatus(
      facts({
        allowance: d('100'),
        used: d('100.5'),
        allowanceRemaining: d('0'),
        overage: d('0.5'),
        hardLimit: true,
      }),
    );
    expect(hard).toMatchObject({
      overHardLimit: true,
      alertLevel: 'CRITICAL',
      recommendedStrategy: 'EMERGENCY_ONLY',
    });
    expect(hard.overage.toFixed()).toBe('0.5');
  });

  it('an account on credit alone measures against the credit it was given', () => {
    const status = computeBudgetStatus(
      facts({ used: d('7.5'), creditRemaining: d('2.5'), creditBase: d('10') }),
    );
    expect(presentPercent(status.availablePercent)).toBe(25);
    expect(status.alertLevel).toBe('ORANGE');
    const nothing = computeBudgetStatus(facts({ used: d('1'), overage: d('1') }));
    expect(presentPercent(nothing.availablePercent)).toBe(0);
    expect(nothing.alertLevel).toBe('CRITICAL');
  });

  it('rounds available_percent half-even for presentation', () => {
    expect(presentPercent(d('49.5'))).toBe(50);
    expect(presentPercent(d('50.5'))).toBe(50);
    expect(presentPercent(d('49.99'))).toBe(50);
  });

  it('property: available + holds = remaining + extra credit, and used = allowance consumed + credit spent + overage', () => {
    const money = fc
      .bigInt({ min: 0n, max: 10n ** 14n })
      .map((units) => new Decimal(units.toString()).dividedBy(1e6));
    fc.assert(
      fc.property(
        money,
        money,
        money,
        money,
        (allowance, usedFromAllowanceRaw, creditSpent, holds) => {
          const usedFromAllowance = Decimal.min(allowance, usedFromAllowanceRaw);
          const credit = d('50');
          const creditLeft = Decimal.max(credit.minus(creditSpent), d('0'));
          const spentFromCredit = credit.minus(creditLeft);
          const overage = creditSpent.minus(spentFromCredit);
          const used = usedFromAllowance.plus(spentFromCredit).plus(overage);
          const status = computeBudgetStatus(
            facts({
              allowance,
              used,
              allowanceRemaining: allowance.minus(usedFromAllowance),
              creditRemaining: creditLeft,
              creditBase: credit,
              overage,
              holds,
            }),
          );
          expect(
            status.available.plus(holds).equals(status.remaining.plus(status.extraCreditRemaining)),
          ).toBe(true);
          expect(
            allowance
              .minus(status.remaining)
              .plus(spentFromCredit)
              .plus(status.overage)
              .equals(status.used),
          ).toBe(true);
        },
      ),
    );
  });
});
