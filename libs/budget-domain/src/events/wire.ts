import { z } from 'zod';
import { isDecimalString } from '../money/amount';

/** A decimal amount on the wire: a string, never a JSON number. */
export const amountString = z.string().refine(isDecimalString, { message: 'must be a decimal string' });
export const nonNegativeAmountString = amountString.refine((value) => !value.startsWith('-'), {
  message: 'must not be negative',
});
export const isoTimestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), {
  message: 'must be an ISO-8601 timestamp',
});
export const SCHEMA_VERSION = 1 as const;
