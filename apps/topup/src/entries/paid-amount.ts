import { Decimal } from 'decimal.js';
import { chargeableDecimalsOf } from '@tally/budget-domain';
import type { TopUpConfig } from '../config/topup.config';
import { EntriesException, EntriesExceptionCode } from './entries.exception';

const AMOUNT = /^\d{1,12}(\.\d{1,12})?$/;

/**
 * An amount a customer may be charged: a decimal string in whole minor units of the paid
 * currency (Stripe charges integers; 10.005 CHF is refused, not rounded), in tens of them for a
 * three-decimal currency (Stripe refuses 10.005 BHD), between the configured minimum and maximum.
 */
export function validPaidAmount(value: unknown, config: TopUpConfig, field: string): Decimal {
  if (typeof value !== 'string' || !AMOUNT.test(value)) {
    throw refusal(`${field} must be a decimal string such as "30.00"`);
  }
  const amount = new Decimal(value);
  const decimals = chargeableDecimalsOf(config.paidCurrency);
  if (amount.decimalPlaces() > decimals) {
    throw refusal(`${field} has more than ${decimals} decimals for ${config.paidCurrency}`);
  }
  const { minPaid, maxPaid } = config.checkout;
  if (amount.lessThan(minPaid) || amount.greaterThan(maxPaid)) {
    throw refusal(
      `${field} must be from ${minPaid.toFixed()} to ${maxPaid.toFixed()} ${config.paidCurrency}`,
    );
  }
  return amount;
}

function refusal(message: string): EntriesException {
  return new EntriesException(EntriesExceptionCode.VALIDATION_FAILED, message);
}
