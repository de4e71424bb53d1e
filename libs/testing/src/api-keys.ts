import { newApiKeySecret } from '@tally/platform';
import type { CommandClient } from './command.client';

/** A key made as admin makes one: the secret stays here, only its hash goes over Kafka. */
export async function createApiKey(
  commands: CommandClient,
  accountId: string,
  name: string,
): Promise<{ api_key_id: string; secret: string }> {
  const { secret, secretSha256, prefix } = newApiKeySecret();
  const reply = await commands.send<{ api_key_id?: string; error_code?: string }>(
    'ledger.create-api-key',
    { account_id: accountId, name, secret_sha256: secretSha256, prefix },
  );
  if (!reply.api_key_id) throw new Error(`ledger.create-api-key refused: ${JSON.stringify(reply)}`);
  return { api_key_id: reply.api_key_id, secret };
}
