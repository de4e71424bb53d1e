import { z } from 'zod';
import { plainText } from '@tally/budget-domain';
import { accountIdSchema } from '../../accounts/dtos/account.dto';
import { cursorQuery, limitQuery } from '../../http/pagination';

export const createTokenSchema = z
  .object({
    role: z.enum(['admin', 'tenant']),
    account_id: accountIdSchema.optional(),
    name: plainText(200),
  })
  .strict()
  .refine((token) => (token.role === 'tenant') === (token.account_id !== undefined), {
    message: 'account_id is required for a tenant token and not allowed for an admin token',
    path: ['account_id'],
  });
export type CreateTokenRequest = z.infer<typeof createTokenSchema>;

export const listTokensQuery = z.object({ cursor: cursorQuery, limit: limitQuery }).strict();
export type ListTokensQuery = z.infer<typeof listTokensQuery>;

export const tokenSchema = z.object({
  token_id: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'tenant']),
  account_id: z.string().nullable(),
  prefix: z.string().describe('the first characters of the token, to recognise it by'),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});
export type TokenView = z.infer<typeof tokenSchema>;

export const createdTokenSchema = z.object({
  token_id: z.string(),
  token: z.string().describe('shown once: only its SHA-256 is stored'),
});

export const tokenPageSchema = z.object({
  items: z.array(tokenSchema),
  next_cursor: z.string().nullable(),
});
