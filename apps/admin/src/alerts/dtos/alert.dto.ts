import { z } from 'zod';
import { ALERT_KINDS, ALERT_LEVELS, nonNegativeAmountString } from '@tally/budget-domain';
import { cursorQuery, limitQuery } from '../../http/pagination';
import { RANGE_ORDER, instantQuery, rangeIsOrdered } from '../../http/time-range';

export const listAlertsQuery = z
  .object({
    cursor: cursorQuery,
    limit: limitQuery,
    kind: z.enum(ALERT_KINDS).optional(),
    state: z.enum(['fired', 'resolved']).optional(),
    from: instantQuery,
    to: instantQuery,
  })
  .strict()
  .refine(rangeIsOrdered, RANGE_ORDER);
export type ListAlertsQuery = z.infer<typeof listAlertsQuery>;

export const alertSchema = z.object({
  alert_id: z.string(),
  api_key_id: z.string().nullable(),
  kind: z.enum(ALERT_KINDS),
  state: z.enum(['fired', 'resolved']),
  resolves: z.string().nullable(),
  level: z.enum(ALERT_LEVELS),
  percent: z.number().int(),
  amount: z.string().nullable(),
  period_start: z.string().nullable(),
  message: z.string(),
  at: z.string(),
});
export type AlertView = z.infer<typeof alertSchema>;

export const alertPageSchema = z.object({
  items: z.array(alertSchema),
  next_cursor: z.string().nullable(),
});

const webUrl = z
  .string()
  .max(2048)
  .refine((text) => /^https?:\/\//i.test(text) && URL.canParse(text), {
    message: 'must be an http(s) URL',
  });

/** The fields of `alerting.set-channel` (DESIGN 2); the account and channel come from the path. */
export const setChannelSchema = z
  .object({
    type: z.enum(['webhook', 'slack', 'email']),
    url: webUrl.optional(),
    email: z.email().max(320).optional(),
    kinds: z.array(z.enum(ALERT_KINDS)).min(1).max(ALERT_KINDS.length).optional(),
    custom_thresholds: z
      .array(
        z.union([
          // Whole percents of spend, as alerting takes them (parseCustomThreshold).
          z.object({ percent: z.number().int().min(1).max(100) }).strict(),
          z.object({ amount: nonNegativeAmountString }).strict(),
        ]),
      )
      .max(20)
      .optional(),
    signing_secret: z.string().min(16).max(256).optional(),
  })
  .strict()
  .refine(
    (channel) =>
      channel.type === 'email' ? channel.email !== undefined : channel.url !== undefined,
    {
      message: 'a webhook or slack channel needs url, an email channel needs email',
      path: ['url'],
    },
  );
export type SetChannelRequest = z.infer<typeof setChannelSchema>;

export const channelSchema = z.object({
  channel_id: z.string(),
  type: z.enum(['webhook', 'slack', 'email']),
  url: z.string().optional(),
  email: z.string().optional(),
  kinds: z.array(z.string()),
  custom_thresholds: z.array(z.record(z.string(), z.unknown())),
  signing_secret: z.string().optional().describe('only when alerting made it, once'),
});

export const channelPageSchema = z.object({
  items: z.array(channelSchema),
  next_cursor: z.null(),
});

export const deliveriesQuery = z
  .object({ cursor: z.string().max(512).optional(), limit: limitQuery })
  .strict();
export type DeliveriesQuery = z.infer<typeof deliveriesQuery>;

export const deliveryPageSchema = z.object({
  items: z.array(
    z.object({
      alert_id: z.string(),
      kind: z.string(),
      state: z.string(),
      at: z.string(),
      channel_id: z.string(),
      channel_type: z.string(),
      delivery_id: z.string(),
      status: z
        .enum(['delivered', 'retrying', 'dead'])
        .describe('retrying: not yet answered, or to be tried again'),
      attempts: z.number(),
      last_error: z.string().nullable(),
      delivered_at: z.string().nullable(),
    }),
  ),
  next_cursor: z.string().nullable(),
});
