import type { Decimal } from 'decimal.js';
import { InvalidAmountError, parseAmount } from '../money/amount';

/** More than this in one grant is a typo, not a grant. */
export const MAX_CREDIT_GRANT = '1000000';

/**
 * The amount of an admin credit (grant, bonus, refund): a decimal string above zero, at most
 * MAX_CREDIT_GRANT, exact to NUMERIC(38,12). Anything else throws InvalidAmountError.
 */
export function creditGrantAmount(value: unknown): Decimal {
  const amount = parseAmount(value);
  if (!amount.greaterThan(0)) throw new InvalidAmountError('amount must be greater than zero');
  if (amount.greaterThan(MAX_CREDIT_GRANT)) {
    throw new InvalidAmountError(`amount must not exceed ${MAX_CREDIT_GRANT}`);
  }
  return amount;
}
