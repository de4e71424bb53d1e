import { z } from 'zod';
import { cursorQuery, limitQuery } from '../../http/pagination';
import { RANGE_ORDER, instantQuery, rangeIsOrdered } from '../../http/time-range';

const kind = z
  .string()
  .regex(/^[a-z][a-z_]{0,63}$/, 'must be a transaction kind, e.g. usage, grant, purchase');

/** Filters of a transaction listing; from/to bound posted_at as [from, to). */
const filters = { kind: kind.optional(), from: instantQuery, to: instantQuery };

export const listTransactionsQuery = z
  .object({ cursor: cursorQuery, limit: limitQuery, ...filters })
  .strict()
  .refine(rangeIsOrdered, RANGE_ORDER);
export type ListTransactionsQuery = z.infer<typeof listTransactionsQuery>;

export const exportTransactionsQuery = z
  .object(filters)
  .strict()
  .refine(rangeIsOrdered, RANGE_ORDER);
export type ExportTransactionsQuery = z.infer<typeof exportTransactionsQuery>;

const amount = z.string();

export const transactionSchema = z.object({
  transaction_id: z.string(),
  kind: z.string(),
  amount: amount.describe('the net change of the tenant funds: usage is negative'),
  posted_at: z.string(),
  funding: z
    .object({
      allowance: amount,
      credit: amount.describe('purchased credit'),
      bonus: amount.describe('granted credit (grants, bonuses), spent before purchased credit'),
      overage: amount,
    })
    .nullable()
    .describe('usage only'),
});
export type TransactionView = z.infer<typeof transactionSchema>;

export const transactionPageSchema = z.object({
  items: z.array(transactionSchema),
  next_cursor: z.string().nullable(),
});

/** The CSV export's columns: the JSON field names, nested ones with a dot. */
export const CSV_COLUMNS = [
  'transaction_id',
  'kind',
  'amount',
  'posted_at',
  'funding.allowance',
  'funding.credit',
  'funding.bonus',
  'funding.overage',
] as const;
