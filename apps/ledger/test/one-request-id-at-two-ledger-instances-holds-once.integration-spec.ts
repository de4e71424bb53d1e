import { isolate, queryDatabase } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { CreditsService } from '../src/credits/credits.service';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { LedgerHarness } from './ledger.harness';

/**
 * Two ledger instances behind one load balancer; a gateway that timed out retries an
 * authorization under its request_id, and the tries land on both instances at once. The key
 * holds the amount once, and every answer names the one reservation (DESIGN 5, ADR 0127).
 */
describe('one request_id sent to two ledger instances at once', () => {
  const ledger = new LedgerHarness(isolate());
  const account = 'acct_twin_request_ids';
  let secret: string;
  let urls: string[];

  const authorize = async (url: string, body: Record<string, unknown>) => {
    const response = await fetch(`${url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    await ledger.start();
    await ledger.get(AccountsService).createAccount({ accountId: account, name: account });
    secret = (await ledger.createApiKey(account, 'gateway')).secret;
    await ledger.get(CreditsService).grant({
      accountId: account,
      amount: '100.00',
      kind: 'grant',
      reason: 'twin request ids',
      idempotencyKey: `${account}-grant`,
    });
    urls = [ledger.url, ledger.urlOf(await ledger.startInstance())];
  });
  afterAll(() => ledger.stop());

  it('10 request ids, each sent 6 times across both instances at once: 10 holds of 1.50, 15.00 held', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, id) =>
        Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            authorize(urls[i % 2] ?? ledger.url, {
              estimated_cost: '1.50',
              request_id: `twin-${id}`,
            }),
          ),
        ),
      ),
    );
    for (const tries of answers) {
      expect(tries.map((answer) => answer.status)).toEqual(Array(6).fill(201));
      expect(new Set(tries.map((answer) => answer.body['reservation_id'])).size).toBe(1);
      expect(tries.map((answer) => answer.body['amount'])).toEqual(Array(6).fill('1.500000'));
    }
    const [{ holds, held }] = (await queryDatabase<{ holds: number; held: string }>(
      ledger.isolation.databaseUrl,
      `SELECT count(*)::int AS holds, coalesce(sum(amount), 0)::text AS held
       FROM "${ledger.isolation.schema('ledger')}".reservations WHERE account_id = $1 AND status = 'held'`,
      [account],
    )) as [{ holds: number; held: string }];
    expect({ holds, held }).toEqual({ holds: 10, held: '15.000000000000' });
    expect(await ledger.get(ReconciliationService).reconcile()).toMatchObject({ ok: true });
  });
});
