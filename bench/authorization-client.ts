import http from 'node:http';
import { CommandClient, createApiKey } from '@tally/testing';
import type { ServiceHarness } from '@tally/testing';

/** One authorization request on a kept-alive connection; its status. */
export function postAuthorization(
  agent: http.Agent,
  port: number,
  body: string,
  secret: string | undefined,
) {
  return new Promise<number>((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: '/v1/authorizations',
        method: 'POST',
        headers: {
          authorization: `Bearer ${secret ?? ''}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Opens `count` accounts (acct_<label>_0, …) with an API key each and `credit` granted to
 * each; returns the keys' secrets in account order.
 */
export async function openAccountsWithKeys(
  harness: ServiceHarness,
  label: string,
  count: number,
  credit: string,
): Promise<string[]> {
  const commands = await new CommandClient(
    harness.isolation.kafkaBrokers,
    harness.isolation.suffix,
    ['ledger.create-account', 'ledger.create-api-key', 'ledger.grant-credit'],
  ).connect();
  const secrets: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const accountId = `acct_${label}_${i}`;
    await commands.send('ledger.create-account', { account_id: accountId, name: label });
    secrets.push((await createApiKey(commands, accountId, label)).secret);
    await commands.send('ledger.grant-credit', {
      account_id: accountId,
      amount: credit,
      kind: 'grant',
      reason: label,
      idempotency_key: label,
    });
  }
  await commands.close();
  return secrets;
}
