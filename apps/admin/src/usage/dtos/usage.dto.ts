import { z } from 'zod';
import { RANGE_ORDER, instantQuery, rangeIsOrdered } from '../../http/time-range';
import { USAGE_GROUPS } from '../usage-rollups.store';
import type { UsageGroup } from '../usage-rollups.store';

const groupBy = z
  .string()
  .max(100)
  .default('day')
  .transform((text, context) => {
    const groups = text === '' ? [] : text.split(',');
    for (const group of groups) {
      if (!(USAGE_GROUPS as readonly string[]).includes(group)) {
        context.addIssue({
          code: 'custom',
          message: `unknown group "${group}": use ${USAGE_GROUPS.join(', ')}`,
        });
        return z.NEVER;
      }
    }
    if (new Set(groups).size !== groups.length) {
      context.addIssue({ code: 'custom', message: 'a group is named twice' });
      return z.NEVER;
    }
    return groups as UsageGroup[];
  });

/** Usage is kept per UTC day: a range must start and end at midnight UTC. */
const midnight = (instant: Date | undefined) =>
  instant === undefined || instant.getTime() % 86_400_000 === 0;

export const usageQuery = z
  .object({ group_by: groupBy, from: instantQuery, to: instantQuery })
  .strict()
  .refine(rangeIsOrdered, RANGE_ORDER)
  .refine((query) => midnight(query.from) && midnight(query.to), {
    message: 'usage is kept per UTC day: from and to must be dates or midnight UTC',
    path: ['from'],
  });
export type UsageQuery = z.infer<typeof usageQuery>;

export const usageRowSchema = z
  .object({
    day: z.string().optional(),
    model: z.string().optional(),
    provider: z.string().optional(),
    api_key: z.string().nullable().optional(),
    service: z.string().optional(),
    cost: z.string().describe('what the ledger charged'),
    tokens: z.number().int(),
    requests: z.number().int(),
  })
  .describe('one row per group; keys present are those of group_by');

export const usageAnswerSchema = z.object({
  items: z.array(usageRowSchema),
  next_cursor: z.null(),
});
