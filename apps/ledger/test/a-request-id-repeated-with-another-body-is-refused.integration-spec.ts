import { isolate, queryDatabase } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { CreditsService } from '../src/credits/credits.service';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { LedgerHarness } from './ledger.harness';

/**
 * A repeated request_id answers the reservation it got (DESIGN 5); the same id with another
 * request (amount, estimate, TTL) is the caller's bug, answered 409 IDEMPOTENCY_KEY_REUSED as a
 * credit's idempotency key is, never a hold of another amount than the one asked (ADR 0127).
 */
describe('a request_id repeated with another body is refused (ADR 0127)', () => {
  const ledger = new LedgerHarness(isolate());
  const account = 'acct_request_ids';
  let gateway: { api_key_id: string; secret: string };
  let batch: { api_key_id: string; secret: string };

  const authorize = async (secret: string, body: Record<string, unknown>) => {
    const response = await fetch(`${ledger.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const keyTotals = () =>
    queryDatabase<{ api_key_id: string; held: string }>(
      ledger.isolation.databaseUrl,
      `SELECT api_key_id, held::text FROM "${ledger.isolation.schema('ledger')}".api_keys WHERE account_id = $1 ORDER BY name`,
      [account],
    );

  beforeAll(async () => {
    await ledger.start();
    await ledger.get(AccountsService).createAccount({ accountId: account, name: account });
    gateway = await ledger.createApiKey(account, 'a-gateway');
    batch = await ledger.createApiKey(account, 'b-batch');
    await ledger.get(CreditsService).grant({
      accountId: account,
      amount: '10.00',
      kind: 'grant',
      reason: 'request ids',
      idempotencyKey: `${account}-grant`,
    });
  });
  afterAll(() => ledger.stop());

  it('answers the same request again with its reservation, and another one under its id 409', async () => {
    const first = await authorize(gateway.secret, { estimated_cost: '2.00', request_id: 'r1' });
    expect(first).toMatchObject({
      status: 201,
      body: { authorized: true, amount: '2.000000', available: '8.000000' },
    });
    const reservationId = first.body['reservation_id'];

    // The same request, the amount written otherwise and a wait added: the same reservation.
    for (const again of [
      { estimated_cost: '2.00', request_id: 'r1' },
      { estimated_cost: '2.000', request_id: 'r1', ttl_seconds: 300, wait_ms: 1000 },
    ])
      expect(await authorize(gateway.secret, again)).toMatchObject({
        status: 201,
        body: { reservation_id: reservationId, amount: '2.000000', available: '8.000000' },
      });

    // Another amount, another TTL or a model estimate under the same id: refused, nothing held.
    for (const other of [
      { estimated_cost: '4.00', request_id: 'r1' },
      { estimated_cost: '2.00', request_id: 'r1', ttl_seconds: 60 },
      {
        service: 'llm',
        model: 'gpt-4o-mini',
        input_tokens: 1000,
        max_output_tokens: 500,
        request_id: 'r1',
      },
    ])
      expect(await authorize(gateway.secret, other)).toEqual({
        status: 409,
        body: { error_code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String) },
      });
    expect(await keyTotals()).toEqual([
      { api_key_id: gateway.api_key_id, held: '2.000000000000' },
      { api_key_id: batch.api_key_id, held: '0.000000000000' },
    ]);

    // Request ids are the key's own: another key's r1 is a request of its own.
    expect(
      await authorize(batch.secret, { estimated_cost: '4.00', request_id: 'r1' }),
    ).toMatchObject({ status: 201, body: { amount: '4.000000', available: '4.000000' } });
    expect(await ledger.get(ReconciliationService).reconcile()).toMatchObject({ ok: true });
  });

  it('30 concurrent requests under one id, half of them another amount: one hold, the others 409', async () => {
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        authorize(gateway.secret, {
          estimated_cost: index % 2 === 0 ? '0.25' : '0.50',
          request_id: 'r-concurrent',
        }),
      ),
    );
    const granted = responses.filter((response) => response.status === 201);
    expect(new Set(granted.map((response) => response.body['reservation_id'])).size).toBe(1);
    expect(new Set(granted.map((response) => response.body['amount'])).size).toBe(1);
    expect(granted).toHaveLength(15);
    expect(responses.filter((response) => response.status === 409)).toHaveLength(15);
    const heldNow = new Set(['2.250000000000', '2.500000000000']);
    expect(heldNow.has((await keyTotals())[0]!.held)).toBe(true);
    expect(await ledger.get(ReconciliationService).reconcile()).toMatchObject({ ok: true });
  });
});
