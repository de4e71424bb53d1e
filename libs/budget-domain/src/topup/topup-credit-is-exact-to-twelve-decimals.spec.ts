import { Decimal } from 'decimal.js';
import {
  InvalidCreditRateError,
  UnsupportedCurrencyError,
  creditForPayment,
  creditRefunded,
  parseCreditRate,
} from './credit-rate';

const chf = (rate: string) => ({ CHF: parseCreditRate(rate) });

describe('top-up credit is exact to twelve decimals (30 CHF buys 10 USD)', () => {
  it.each([
    ['30', '10'],
    ['45', '15'],
    ['10', '3.333333333333'],
    ['20', '6.666666666667'],
    ['0.15', '0.05'],
    ['1000000', '333333.333333333333'],
    ['99999999999999999999.99', '33333333333333333333.33'],
  ])('%s CHF buys %s of credit at the default rate', (paid, credit) => {
    expect(creditForPayment(new Decimal(paid), 'CHF').toFixed()).toBe(credit);
  });

  it('rounds half-even only at the twelfth decimal', () => {
    // 0.0000000000005 credit per unit: 1 unit is exactly half of the twelfth place.
    const rates = chf('1/2000000000000');
    expect(creditForPayment(new Decimal(1), 'CHF', rates).toFixed()).toBe('0');
    expect(creditForPayment(new Decimal(3), 'CHF', rates).toFixed()).toBe('0.000000000002');
  });

  it('reads the configured rate as a fraction or a decimal', () => {
    expect(creditForPayment(new Decimal(10), 'CHF', chf('10/30')).toFixed()).toBe('3.333333333333');
    expect(creditForPayment(new Decimal(10), 'CHF', chf('0.9')).toFixed()).toBe('9');
    expect(creditForPayment(new Decimal(7), 'CHF', chf(' 1 ')).toFixed()).toBe('7');
    for (const bad of ['', '0/30', '10/0', '-1/3', 'ten', '1e3', '10/30/2']) {
      expect(() => parseCreditRate(bad)).toThrow(InvalidCreditRateError);
    }
  });

  it('refuses a currency without a rate', () => {
    expect(() => creditForPayment(new Decimal('10'), 'EUR')).toThrow(UnsupportedCurrencyError);
  });

  it('takes back credit in proportion to what was refunded, and all of it once fully refunded', () => {
    const credit = new Decimal('3.333333333333');
    const paid = new Decimal('10');
    const afterFirst = creditRefunded(credit, paid, new Decimal('3'));
    const afterAll = creditRefunded(credit, paid, new Decimal('10'));
    expect(afterFirst.toFixed()).toBe('1');
    expect(afterAll.minus(afterFirst).toFixed()).toBe('2.333333333333');
    expect(afterAll.toFixed()).toBe(credit.toFixed());
  });
});
