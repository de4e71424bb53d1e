import { z } from 'zod';
import { ALERT_KINDS, plainText } from '@tally/budget-domain';
import { CHANNEL_TYPES } from '../channels.store';

// No control characters: PostgreSQL refuses a NUL, which would answer INTERNAL_ERROR.
export const accountId = plainText(256);
const channelId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -');

/** alerting.set-channel (DESIGN 2): creates a channel, or replaces the one named by channel_id. */
export const setChannelRequest = z.object({
  account_id: accountId,
  channel_id: channelId.optional(),
  type: z.enum(CHANNEL_TYPES),
  url: z.string().optional(),
  email: z.string().optional(),
  kinds: z.array(z.enum(ALERT_KINDS)).min(1).nullable().optional(),
  custom_thresholds: z.array(z.unknown()).max(20).optional(),
  signing_secret: plainText(256).min(16).optional(),
});
export type SetChannelRequest = z.infer<typeof setChannelRequest>;

export const listChannelsRequest = z.object({ account_id: accountId });
export const deleteChannelRequest = z.object({ account_id: accountId, channel_id: channelId });

/** A channel in a reply: never its signing secret. */
export interface ChannelReply {
  readonly channel_id: string;
  readonly type: string;
  readonly url?: string;
  readonly email?: string;
  readonly kinds: readonly string[];
  readonly custom_thresholds: ReadonlyArray<{ percent: number } | { amount: string }>;
}
