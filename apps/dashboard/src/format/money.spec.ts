import { Decimal } from 'decimal.js';
import {
  chartNumber,
  displayPlaces,
  formatCount,
  formatDecimal,
  formatMoney,
  formatPercent,
  minorDigitsOf,
  parseAmount,
  sumAmounts,
} from './money';

describe('money shown to an operator', () => {
  it('rounds a twelve-place ledger figure half-even to cents from one unit up', () => {
    expect(formatMoney('3.333333333333')).toBe('$3.33');
    expect(formatMoney('10.000000000000')).toBe('$10.00');
    expect(formatMoney('2.125000000000')).toBe('$2.12');
    expect(formatMoney('2.135000000000')).toBe('$2.14');
  });

  it('keeps digits no float would: sixteen significant digits and more', () => {
    expect(formatMoney('12345678901234567.995')).toBe('$12,345,678,901,234,568.00');
    expect(formatMoney('9007199254740993.01')).toBe('$9,007,199,254,740,993.01');
  });

  it('shows fractions of a cent with two significant digits, at most six places', () => {
    expect(formatMoney('0.000450')).toBe('$0.00045');
    expect(formatMoney('0.05')).toBe('$0.05');
    expect(formatMoney('0.123456')).toBe('$0.12');
    expect(formatMoney('0.10')).toBe('$0.10');
    expect(formatMoney('0.000100')).toBe('$0.0001');
    expect(formatMoney('0.0000012345')).toBe('$0.000001');
    expect(formatMoney('0.0000004')).toBe('< $0.000001');
    expect(formatMoney('0')).toBe('$0.00');
    expect(formatMoney('0.000000000000')).toBe('$0.00');
  });

  it('never shows an amount that is not zero as zero, half a millionth included', () => {
    // One token at 0.50 per million tokens.
    expect(formatMoney('0.000000500000')).toBe('< $0.000001');
    expect(formatMoney('-0.000000500000')).toBe('> -$0.000001');
    expect(formatMoney('0.000000500001')).toBe('$0.000001');
  });

  it('signs negative amounts before the symbol and never shows a negative zero', () => {
    expect(formatMoney('-1234.5')).toBe('-$1,234.50');
    expect(formatMoney('-0.001')).toBe('-$0.001');
    expect(formatMoney('-0.0015')).toBe('-$0.0015');
    expect(formatDecimal(new Decimal('-0.001'), 2)).toBe('0.00');
  });

  it('names currencies without a symbol by their code', () => {
    expect(formatMoney('45', 'CHF')).toBe('45.00 CHF');
    expect(formatMoney('45', 'eur')).toBe('€45.00');
  });

  it("shows as many decimals as the currency's minor unit has: none for yen, three for dinars", () => {
    expect(formatMoney('3000.00', 'JPY')).toBe('3,000 JPY');
    expect(formatMoney('3000', 'jpy')).toBe('3,000 JPY');
    expect(formatMoney('1500.5', 'JPY')).toBe('1,500 JPY');
    expect(formatMoney('45000', 'KRW')).toBe('45,000 KRW');
    expect(formatMoney('10.01', 'BHD')).toBe('10.010 BHD');
    expect(formatMoney('1234.5', 'KWD')).toBe('1,234.500 KWD');
    expect(formatMoney('3.3335', 'JOD')).toBe('3.334 JOD');
    expect(formatMoney('0', 'JPY')).toBe('0 JPY');
    // Below one unit, two significant digits still show what was spent.
    expect(formatMoney('0.45', 'JPY')).toBe('0.45 JPY');
    expect(formatMoney('0.0045', 'BHD')).toBe('0.0045 BHD');
    expect(formatMoney('45', 'CHF')).toBe('45.00 CHF');
  });

  it('takes minor digits from the browser, two for a code it cannot read', () => {
    expect([minorDigitsOf('JPY'), minorDigitsOf('usd'), minorDigitsOf('KWD')]).toEqual([0, 2, 3]);
    expect(minorDigitsOf('not a code')).toBe(2);
    expect(formatMoney('45', 'junk')).toBe('45.00 JUNK');
  });

  it('answers a dash for anything that is not a decimal string', () => {
    for (const bad of [undefined, null, 12.5, '', 'abc', '1e5', '1.', '<script>']) {
      expect(formatMoney(bad)).toBe('—');
    }
    expect(parseAmount('1e5')).toBeUndefined();
  });

  it('picks places by magnitude', () => {
    expect(displayPlaces(new Decimal('150'))).toBe(2);
    expect(displayPlaces(new Decimal('0.5'))).toBe(2);
    expect(displayPlaces(new Decimal('0.0045'))).toBe(4);
  });

  it('sums exactly and converts to numbers only for charts', () => {
    expect(sumAmounts(['0.1', '0.2', '0.000000000001', 'junk'])).toBe('0.300000000001');
    // 24 significant digits: decimal.js's default precision (20) would round the sum.
    expect(sumAmounts(['123456789012.123456789012', '0.000000000001'])).toBe(
      '123456789012.123456789013',
    );
    expect(chartNumber('0.000450')).toBe(0.00045);
    expect(chartNumber(undefined)).toBe(0);
  });

  it('groups counts and rounds percents', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount('98765432109876543210')).toBe('98,765,432,109,876,543,210');
    expect(formatCount('1.5')).toBe('—');
    expect(formatPercent(87)).toBe('87 %');
    expect(formatPercent('120')).toBe('120 %');
    expect(formatPercent(null)).toBe('—');
  });
});
