import { Decimal } from 'decimal.js';
import { InvalidAmountError, formatAmount, parseAmount, roundAmount } from './amount';
import { chargeableDecimalsOf, minorUnitsOf, presentMoney, toMinorUnits } from './currency';

describe('amount strings', () => {
  it('show at least six decimals and every decimal an amount has, up to twelve', () => {
    expect(formatAmount(new Decimal('0.002'))).toBe('0.002000');
    expect(formatAmount(new Decimal('0.00000015'))).toBe('0.00000015');
    expect(formatAmount(new Decimal('0.0000000000005'))).toBe('0.000000');
    expect(formatAmount(new Decimal('0.0000000000015'))).toBe('0.000000000002');
    expect(formatAmount(new Decimal('123456789'))).toBe('123456789.000000');
    expect(formatAmount(new Decimal('-2.5'))).toBe('-2.500000');
    expect(formatAmount(new Decimal('0.123456789012'))).toBe('0.123456789012');
  });

  it('round past twelve decimals half to even, and never show a negative zero', () => {
    expect(formatAmount(new Decimal('0.0000000000025'))).toBe('0.000000000002');
    expect(formatAmount(new Decimal('-0.0000000000035'))).toBe('-0.000000000004');
    expect(formatAmount(new Decimal('1').dividedBy(3))).toBe('0.333333333333');
    expect(formatAmount(new Decimal('-0.0000000000004'))).toBe('0.000000');
    expect(formatAmount(new Decimal('0').negated())).toBe('0.000000');
  });

  it('round to twelve decimals half to even, and leave an amount with no more as it is', () => {
    const exact = new Decimal('0.123456789012');
    expect(roundAmount(exact)).toBe(exact);
    expect(roundAmount(new Decimal('0.1234567890125')).toFixed()).toBe('0.123456789012');
    expect(roundAmount(new Decimal('0.1234567890135')).toFixed()).toBe('0.123456789014');
    const Wide = Decimal.clone({ precision: 100 });
    const wide = roundAmount(new Wide(1).dividedBy(3));
    expect(wide).toBeInstanceOf(Wide);
    expect(wide.toFixed()).toBe('0.333333333333');
  });

  it('equal decimal.js rounding to twelve decimals shown with at least six, over many scales', () => {
    const reference = (amount: Decimal) => {
      const exact = amount.toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN);
      return exact.toFixed(Math.max(6, exact.decimalPlaces()));
    };
    for (let exponent = -16; exponent <= 20; exponent += 1) {
      for (const numerator of [1, 2, 5, 10, 22, 355, 1_000_001]) {
        for (const amount of [
          new Decimal(numerator).dividedBy(7).times(new Decimal(10).pow(exponent)),
          new Decimal(numerator).times(new Decimal(10).pow(exponent)).negated(),
        ]) {
          expect(formatAmount(amount)).toBe(reference(amount));
        }
      }
    }
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
});

describe('arithmetic on amounts', () => {
  it('is exact over the whole of NUMERIC(38,12), far beyond decimal.js default 20 digits', () => {
    const widest = parseAmount(`${'9'.repeat(26)}.${'9'.repeat(12)}`);
    expect(widest.minus('0.000000000001').toFixed()).toBe(`${'9'.repeat(26)}.${'9'.repeat(11)}8`);
    expect(parseAmount('123456789.123456789012').plus('0.000000000001').toFixed()).toBe(
      '123456789.123456789013',
    );
  });
});

describe('currencies', () => {
  it('know their minor units', () => {
    expect(minorUnitsOf('USD')).toBe(2);
    expect(minorUnitsOf('JPY')).toBe(0);
    expect(minorUnitsOf('BHD')).toBe(3);
    expect(() => minorUnitsOf('ABC')).toThrow('unknown currency "ABC"');
  });

  it('charge in whole minor units, rounded half-even only there', () => {
    expect(toMinorUnits(new Decimal('30'), 'CHF')).toBe(3000);
    expect(toMinorUnits(new Decimal('10.005'), 'CHF')).toBe(1000);
    expect(toMinorUnits(new Decimal('10.015'), 'CHF')).toBe(1002);
    expect(toMinorUnits(new Decimal('1500.5'), 'JPY')).toBe(1500);
    expect(toMinorUnits(new Decimal('1.2345'), 'BHD')).toBe(1234);
  });

  it('are charged in tens of fils for three-decimal currencies, as Stripe takes them', () => {
    expect(chargeableDecimalsOf('CHF')).toBe(2);
    expect(chargeableDecimalsOf('JPY')).toBe(0);
    expect(chargeableDecimalsOf('BHD')).toBe(2);
    expect(chargeableDecimalsOf('KWD')).toBe(2);
    expect(chargeableDecimalsOf('JOD')).toBe(2);
    expect(() => chargeableDecimalsOf('ABC')).toThrow('unknown currency "ABC"');
  });
  it('are presented exact, with at least their minor units and their code', () => {
    expect(presentMoney(new Decimal('12.5'), 'USD')).toBe('12.50 USD');
    expect(presentMoney(new Decimal('0.000450000000'), 'USD')).toBe('0.00045 USD');
    expect(presentMoney(new Decimal('3000'), 'JPY')).toBe('3000 JPY');
    expect(presentMoney(new Decimal('10.01'), 'BHD')).toBe('10.010 BHD');
    expect(presentMoney(new Decimal('1').dividedBy(3), 'USD')).toBe('0.333333333333 USD');
    expect(presentMoney(new Decimal('-2.5'), 'CHF')).toBe('-2.50 CHF');
    expect(presentMoney(new Decimal('-0.0000000000004'), 'USD')).toBe('0.00 USD');
    // Any code a record may carry: ICU's minor units (VND 0), else two.
    expect(presentMoney(new Decimal('50000'), 'VND')).toBe('50000 VND');
    expect(presentMoney(new Decimal('1'), 'ABC')).toBe('1.00 ABC');
  });
});
