import { z } from 'zod';
import { DEAD_LETTER_REASONS } from '@tally/budget-domain';
import { cursorQuery, limitQuery } from '../../http/pagination';
import { RANGE_ORDER, instantQuery, rangeIsOrdered } from '../../http/time-range';

export const listDeadLettersQuery = z
  .object({
    cursor: cursorQuery,
    limit: limitQuery,
    service: z.string().min(1).max(256).optional(),
    reason: z.enum(DEAD_LETTER_REASONS).optional(),
    from: instantQuery,
    to: instantQuery,
  })
  .strict()
  .refine(rangeIsOrdered, RANGE_ORDER);
export type ListDeadLettersQuery = z.infer<typeof listDeadLettersQuery>;

export const deadLetterViewSchema = z.object({
  service: z.string().describe('the service that could not use the record'),
  source_topic: z.string(),
  partition: z.number().int(),
  offset: z.string(),
  reason: z.enum(DEAD_LETTER_REASONS),
  error: z.string().describe('field path and message'),
  key: z.string().nullable(),
  key_base64: z.string().nullable().describe('the key, when it is not UTF-8 text'),
  value: z.string().nullable().describe('the original bytes, base64: the first 16 KiB of it'),
  truncated: z.boolean().describe('true when `value` or `key_base64` hold only the start'),
  at: z.string(),
});
export type DeadLetterView = z.infer<typeof deadLetterViewSchema>;

export const deadLetterPageSchema = z.object({
  items: z.array(deadLetterViewSchema),
  next_cursor: z.string().nullable(),
});
