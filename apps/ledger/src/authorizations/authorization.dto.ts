import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Decimal } from 'decimal.js';
import {
  POWER_LEVELS,
  USAGE_SERVICES,
  isDecimalString,
  nonNegativeAmountString,
  plainText,
} from '@tally/budget-domain';

/**
 * More than this in one call is a typo, not an estimate (ADR 0063). Each hold fitting
 * NUMERIC(38,12) is not enough: a key's held total is their sum, and overflowed into a 500.
 */
export const MAX_ESTIMATED_COST = '1000000';

const common = {
  ttl_seconds: z.number().int().min(1).max(3600).default(300),
  // Two ids that differ only in a NUL or a lone surrogate must never meet as one reservation.
  request_id: plainText(200).optional(),
  /** Refused only because an auto top-up is pending: wait up to this long for its credit. */
  wait_ms: z.number().int().min(0).max(30_000).optional(),
};

/** Either an estimated cost, or a model and token estimate whose worst case is held. */
export const authorizationRequestSchema = z.union([
  z
    .object({
      // Within NUMERIC(38,12): more decimals would be rounded away when stored, a larger figure
      // would fail the insert.
      estimated_cost: nonNegativeAmountString
        .refine((cost) => !/^0+(\.0+)?$/.test(cost), {
          message: 'must be greater than 0: there is nothing to hold',
        })
        // Checks run on after one failed: a cost that is no decimal was refused already.
        .refine((cost) => !isDecimalString(cost) || new Decimal(cost).lte(MAX_ESTIMATED_COST), {
          message: `must be at most ${MAX_ESTIMATED_COST}`,
        }),
      ...common,
    })
    .strict(),
  z
    .object({
      service: z.enum(USAGE_SERVICES),
      model: plainText(256),
      provider: plainText(256).optional(),
      input_tokens: z.number().int().min(0).max(100_000_000),
      max_output_tokens: z.number().int().min(0).max(100_000_000),
      power_level: z.enum(POWER_LEVELS).optional(),
      ...common,
    })
    .strict(),
]);

export type AuthorizationRequest = z.infer<typeof authorizationRequestSchema>;

/**
 * A digest of what the request asks to hold: the estimated cost as a number ("2.00" and "2.0"
 * are one request), or the estimate's fields, and the TTL. `request_id` and `wait_ms` (how long
 * to wait, not what to hold) are left out. The same request id with another digest is refused
 * (ADR 0127).
 */
export function requestFingerprint(request: AuthorizationRequest): string {
  const asked =
    'estimated_cost' in request
      ? ['cost', new Decimal(request.estimated_cost).toFixed()]
      : [
          'estimate',
          request.service,
          request.model,
          request.provider ?? null,
          request.input_tokens,
          request.max_output_tokens,
          request.power_level ?? null,
        ];
  return createHash('sha256')
    .update(JSON.stringify([...asked, request.ttl_seconds]))
    .digest('base64url');
}
