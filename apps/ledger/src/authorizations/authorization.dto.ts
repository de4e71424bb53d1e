import { z } from 'zod';
import { POWER_LEVELS, USAGE_SERVICES } from '@tally/budget-domain';

/**
 * A cost the ledger can hold exactly: not negative, and within NUMERIC(38,12), 26 digits
 * before the point and 12 after. More decimals would be rounded away silently when stored,
 * and a larger figure would fail the insert.
 */
const HOLDABLE_COST = /^\d{1,26}(\.\d{1,12})?$/;

const common = {
  ttl_seconds: z.number().int().min(1).max(3600).default(300),
  request_id: z.string().min(1).max(200).optional(),
};

/** Either an estimated cost, or a model and token estimate whose worst case is held. */
export const authorizationRequestSchema = z.union([
  z.object({
    estimated_cost: z.string().regex(HOLDABLE_COST, { message: 'must be a decimal string, not negative, with at most 26 digits before the point and 12 after' }),
    ...common,
  }).strict(),
  z.object({
    service: z.enum(USAGE_SERVICES),
    model: z.string().min(1),
    provider: z.string().min(1).optional(),
    input_tokens: z.number().int().min(0).max(100_000_000),
    max_output_tokens: z.number().int().min(0).max(100_000_000),
    power_level: z.enum(POWER_LEVELS).optional(),
    ...common,
  }).strict(),
]);

export type AuthorizationRequest = z.infer<typeof authorizationRequestSchema>;
