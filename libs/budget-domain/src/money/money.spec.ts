import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { CurrencyMismatchError, Money } from './money';
import { InvalidAmountError, formatAmount, parseAmount } from './amount';
import { UnknownCurrencyError, minorUnitsOf } from './currency';

describe('Money', () => {
  it('is built from decimal strings only: JSON numbers are refused', () => {
    expect(Money.of('0.10').toString()).toBe('0.100000');
    expect(() => Money.of(0.1 as unknown as string)).toThrow(InvalidAmountError);
    expect(() => Money.of('1e3')).toThrow(InvalidAmountError);
    expect(() => Money.of('12,50')).toThrow('"12,50" is not a decimal amount');
    expect(() => Money.of('1', 'XXX')).toThrow(UnknownCurrencyError);
  });

  it('adds, subtracts and multiplies exactly', () => {
    const price = Money.of('0.000000150');
    expect(price.times(1000).toString()).toBe('0.000150');
    expect(Money.of('0.1').plus(Money.of('0.2')).toString()).toBe('0.300000');
    expect(Money.of('1').minus(Money.of('1.000000000001')).toString()).toBe('-0.000000000001');
    expect(Money.of('2.5').times('0.8').toString()).toBe('2.000000');
    expect(Money.of('2').times(new Decimal('1.5')).toString()).toBe('3.000000');
    expect(() => Money.of('1').times(0.5)).toThrow(InvalidAmountError);
    expect(Money.of('3').negated().toString()).toBe('-3.000000');
    expect(Money.sum([Money.of('1.25'), Money.of('2.75')]).toString()).toBe('4.000000');
  });

  it('compares amounts of one currency and refuses to mix currencies', () => {
    const one = Money.of('1');
    const two = Money.of('2');
    expect(one.lessThan(two)).toBe(true);
    expect(two.greaterThan(one)).toBe(true);
    expect(one.compare(Money.of('1.000'))).toBe(0);
    expect(one.equals(Money.of('1.0'))).toBe(true);
    expect(one.equals(Money.of('1', 'EUR'))).toBe(false);
    expect(one.min(two)).toBe(one);
    expect(one.max(two)).toBe(two);
    expect(Money.zero().isZero()).toBe(true);
    expect(Money.of('-0.01').isNegative()).toBe(true);
    expect(Money.of('0.01').isPositive()).toBe(true);
    expect(() => one.plus(Money.of('1', 'CHF'))).toThrow(CurrencyMismatchError);
  });

  it('rounds half-even at the minor unit, only when asked', () => {
    expect(Money.of('0.125').toMinorUnitString()).toBe('0.12');
    expect(Money.of('0.135').toMinorUnitString()).toBe('0.14');
    expect(Money.of('2.5', 'JPY').toMinorUnitString()).toBe('2');
    expect(Money.of('3.5', 'JPY').toMinorUnitString()).toBe('4');
    expect(Money.of('1.0005', 'KWD').round().toString()).toBe('1.000000');
    expect(Money.of('0.125').round().toString()).toBe('0.120000');
    expect(JSON.stringify({ amount: Money.of('1.5') })).toBe('{"amount":"1.500000"}');
  });

  it('allocates without losing a cent: the remainder goes to the largest fractions', () => {
    expect(Money.of('100').split(3).map(String)).toEqual(['33.340000', '33.330000', '33.330000']);
    expect(Money.of('0.05').allocate([70, 30]).map(String)).toEqual(['0.040000', '0.010000']);
    expect(Money.of('10').allocate(['1', '0', '1']).map(String)).toEqual([
      '5.000000',
      '0.000000',
      '5.000000',
    ]);
    expect(Money.of('-1').split(3).map(String)).toEqual(['-0.330000', '-0.330000', '-0.340000']);
    expect(Money.of('0.000001').split(2, 12).map(String)).toEqual(['0.0000005', '0.0000005']);
    expect(() => Money.of('1').allocate([])).toThrow(InvalidAmountError);
    expect(() => Money.of('1').allocate([0, 0])).toThrow('weights must not all be zero');
    expect(() => Money.of('1').allocate([-1, 2])).toThrow('weights must not be negative');
    expect(() => Money.of('1').split(0)).toThrow(InvalidAmountError);
  });

  it('property: splitting an amount and summing the parts gives it back exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc
          .array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 })
          .filter((w) => w.some((x) => x > 0)),
        (cents, weights) => {
          const amount = Money.of(new Decimal(cents.toString()).dividedBy(100));
          const parts = amount.allocate(weights);
          expect(Money.sum(parts).equals(amount)).toBe(true);
          const spread = parts.map((part, i) => ({ part, weight: weights[i]! }));
          for (const { part, weight } of spread) if (weight === 0) expect(part.isZero()).toBe(true);
        },
      ),
    );
  });
});

describe('amount strings', () => {
  it('show at least six decimals and every decimal an amount has, up to twelve', () => {
    expect(formatAmount(new Decimal('0.002'))).toBe('0.002000');
    expect(formatAmount(new Decimal('0.00000015'))).toBe('0.00000015');
    expect(formatAmount(new Decimal('0.0000000000005'))).toBe('0.000000');
    expect(formatAmount(new Decimal('0.0000000000015'))).toBe('0.000000000002');
    expect(formatAmount(new Decimal('123456789'))).toBe('123456789.000000');
  });

  it('parse from strings only', () => {
    expect(parseAmount('-2.50').toFixed()).toBe('-2.5');
    expect(() => parseAmount(2.5)).toThrow('amount must be a decimal string, got number');
    expect(() => parseAmount('abc')).toThrow(InvalidAmountError);
  });

  it('parse only what NUMERIC(38,12) holds: 26 digits before the point, 12 after, no exponent', () => {
    const widest = `${'9'.repeat(26)}.${'9'.repeat(12)}`;
    expect(parseAmount(`-${widest}`).toFixed()).toBe(`-${widest}`);
    for (const text of [`1${'0'.repeat(26)}`, '0.0000000000001', '1e-2000000', '1.', '.5', '+1']) {
      expect(() => parseAmount(text)).toThrow(InvalidAmountError);
    }
    expect(() => parseAmount(`0.${'0'.repeat(1_000_000)}1`)).toThrow(
      `"0.${'0'.repeat(38)}…" is not a decimal amount (at most 26 digits before the point and 12 after)`,
    );
  });

  it('know the minor units of currencies', () => {
    expect(minorUnitsOf('USD')).toBe(2);
    expect(minorUnitsOf('JPY')).toBe(0);
    expect(minorUnitsOf('BHD')).toBe(3);
    expect(() => minorUnitsOf('ABC')).toThrow('unknown currency "ABC"');
  });
});
