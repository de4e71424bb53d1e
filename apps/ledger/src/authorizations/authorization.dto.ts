import { z } from 'zod';
import { POWER_LEVELS, USAGE_SERVICES, nonNegativeAmountString } from '@tally/budget-domain';

const common = {
  ttl_seconds: z.number().int().min(1).max(3600).default(300),
  request_id: z.string().min(1).max(200).optional(),
  /** Refused only because an auto top-up is pending: wait up to this long for its credit. */
  wait_ms: z.number().int().min(0).max(30_000).optional(),
};

/** Either an estimated cost, or a model and token estimate whose worst case is held. */
export const authorizationRequestSchema = z.union([
  z
    .object({
      // Within NUMERIC(38,12): more decimals would be rounded away when stored, a larger figure
      // would fail the insert.
      estimated_cost: nonNegativeAmountString,
      ...common,
    })
    .strict(),
  z
    .object({
      service: z.enum(USAGE_SERVICES),
      model: z.string().min(1),
      provider: z.string().min(1).optional(),
      input_tokens: z.number().int().min(0).max(100_000_000),
      max_output_tokens: z.number().int().min(0).max(100_000_000),
      power_level: z.enum(POWER_LEVELS).optional(),
      ...common,
    })
    .strict(),
]);

export type AuthorizationRequest = z.infer<typeof authorizationRequestSchema>;
