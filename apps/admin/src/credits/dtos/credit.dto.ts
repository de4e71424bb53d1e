import { z } from 'zod';
import { plainText } from '@tally/budget-domain';

export const grantCreditSchema = z
  .object({
    amount: z
      .unknown()
      .describe('a decimal string, above 0 and at most 1000000, 12 decimals at most'),
    kind: z.enum(['grant', 'bonus', 'refund']),
    reason: plainText(500),
    idempotency_key: plainText(200),
  })
  .strict();
export type GrantCreditRequest = z.infer<typeof grantCreditSchema>;

export const creditTransactionSchema = z.object({
  transaction_id: z.string(),
  kind: z.string(),
  amount: z.string().describe('signed as it moved the tenant funds: a refund is negative'),
  posted_at: z.string(),
});
