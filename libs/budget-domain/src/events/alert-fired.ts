import { z } from 'zod';
import { ALERT_LEVELS } from '../budget/alert-level';
import { parseWith } from './parse-result';
import type { ParseResult } from './parse-result';
import {
  isoTimestamp,
  nonNegativeAmountString,
  plainText,
  schemaVersion,
  storableText,
} from './wire';

export const ALERT_KINDS = [
  'threshold',
  'soft_limit',
  'hard_limit',
  'projected_overrun',
  'auto_topup_failed',
  'auto_topup_paused',
  'anomaly',
  'custom_threshold',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const alertFiredSchema = z.object({
  schema_version: schemaVersion,
  id: plainText(256),
  account_id: plainText(256),
  api_key_id: plainText(256).nullable(),
  kind: z.enum(ALERT_KINDS),
  state: z.enum(['fired', 'resolved']),
  /** On a resolved alert: the id of the alert it resolves. */
  resolves: plainText(256).optional(),
  level: z.enum(ALERT_LEVELS),
  percent: z.number().int(),
  amount: nonNegativeAmountString.optional(),
  period_start: isoTimestamp.nullable(),
  /** Prose about the alert: a NUL, which admin could not store, becomes U+FFFD. */
  message: z.string().transform(storableText),
  at: isoTimestamp,
});

/** An alert fired or resolved (DESIGN 3.5). */
export type AlertFired = z.infer<typeof alertFiredSchema>;

export function parseAlertFired(raw: Buffer | string | null): ParseResult<AlertFired> {
  return parseWith(alertFiredSchema, raw);
}
