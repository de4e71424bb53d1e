import { z } from 'zod';
import { plainText } from '@tally/budget-domain';
import { cursorQuery, limitQuery } from '../../http/pagination';

export const createApiKeySchema = z.object({ name: plainText(200) }).strict();
export type CreateApiKeyRequest = z.infer<typeof createApiKeySchema>;

export const listApiKeysQuery = z.object({ cursor: cursorQuery, limit: limitQuery }).strict();
export type ListApiKeysQuery = z.infer<typeof listApiKeysQuery>;

export const createdApiKeySchema = z.object({
  api_key_id: z.string(),
  secret: z.string().describe('shown once: the ledger stores only its SHA-256'),
  prefix: z.string(),
});

export const apiKeySchema = z.object({
  api_key_id: z.string(),
  name: z.string(),
  prefix: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});
export type ApiKeyView = z.infer<typeof apiKeySchema>;

export const apiKeyPageSchema = z.object({
  items: z.array(apiKeySchema),
  next_cursor: z.string().nullable(),
});
