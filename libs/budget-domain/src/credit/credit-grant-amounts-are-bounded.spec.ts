import { InvalidAmountError } from '../money/amount';
import { MAX_CREDIT_GRANT, creditGrantAmount } from './credit-grant';

describe('an admin credit amount', () => {
  it('is a decimal string above zero, up to the maximum, kept exact', () => {
    expect(creditGrantAmount('0.000000000001').toFixed()).toBe('0.000000000001');
    expect(creditGrantAmount(MAX_CREDIT_GRANT).toFixed()).toBe('1000000');
  });

  it.each([
    ['negative', '-5.00', 'amount must be greater than zero'],
    ['zero', '0', 'amount must be greater than zero'],
    ['above the maximum', '1000000.000000000001', 'amount must not exceed 1000000'],
    ['non-numeric', 'ten', 'is not a decimal amount'],
    ['a JSON number', 10, 'amount must be a decimal string, got number'],
    ['13 decimals', '0.0000000000001', 'is not a decimal amount'],
  ])('refuses %s', (_case, value, message) => {
    expect(() => creditGrantAmount(value)).toThrow(InvalidAmountError);
    expect(() => creditGrantAmount(value)).toThrow(message);
  });
});
