import { Decimal } from 'decimal.js';
import { paidRefunded } from './credit-rate';

const paid45 = (refunded: Parameters<typeof paidRefunded>[2]) =>
  paidRefunded(new Decimal(45), 'CHF', refunded).toFixed();

describe('a refund gives back its share of the charge, in the paid currency', () => {
  it('a charge in the paid currency: the refunded minor units, 1500 of 4500 is 15 CHF', () => {
    expect(paid45({ minor: 1500, currency: 'chf' })).toBe('15');
    expect(paid45({ minor: 1500, currency: 'chf', chargeMinor: 4800 })).toBe('15');
  });

  it('a charge presented in EUR, 48.00 for the 45 CHF pack: 24.00 EUR refunded is 22.5 CHF', () => {
    expect(paid45({ minor: 2400, currency: 'eur', chargeMinor: 4800 })).toBe('22.5');
  });

  it('a charge in JPY (no minor unit), 4900 for 30 CHF: 1000 refunded is 6.122448979592 CHF, half-even at the twelfth', () => {
    expect(
      paidRefunded(new Decimal(30), 'CHF', {
        minor: 1000,
        currency: 'jpy',
        chargeMinor: 4900,
      }).toFixed(),
    ).toBe('6.122448979592');
  });

  it('a charge in an unknown currency is a share too, never a guess at its minor units', () => {
    expect(paid45({ minor: 7, currency: 'xyz', chargeMinor: 21 })).toBe('15');
  });

  it('a charge in another currency without its amount is refused', () => {
    expect(() => paid45({ minor: 2400, currency: 'eur' })).toThrow(RangeError);
  });
});
