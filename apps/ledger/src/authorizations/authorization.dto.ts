import { z } from 'zod';
import {
  POWER_LEVELS,
  USAGE_SERVICES,
  nonNegativeAmountString,
  plainText,
} from '@tally/budget-domain';

const common = {
  ttl_seconds: z.number().int().min(1).max(3600).default(300),
  // Two ids that differ only in a NUL or a lone surrogate must never meet as one reservation.
  request_id: plainText(200).optional(),
};

/** Either an estimated cost, or a model and token estimate whose worst case is held. */
export const authorizationRequestSchema = z.union([
  z
    .object({
      // Within NUMERIC(38,12): more decimals would be rounded away when stored, a larger figure
      // would fail the insert.
      estimated_cost: nonNegativeAmountString.refine((cost) => !/^0+(\.0+)?$/.test(cost), {
        message: 'must be greater than 0: there is nothing to hold',
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
