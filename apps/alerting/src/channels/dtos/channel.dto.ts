import { z } from 'zod';
import { ALERT_KINDS } from '@tally/budget-domain';
import { CHANNEL_TYPES } from '../channels.store';

const accountId = z.string().min(1).max(256);
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
  signing_secret: z.string().min(16).max(256).optional(),
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
