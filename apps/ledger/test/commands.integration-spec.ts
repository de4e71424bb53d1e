import { newApiKeySecret } from '@tally/platform';
import type { CommandClient } from '@tally/testing';
import { createApiKey, queryDatabase } from '@tally/testing';
import { LedgerHarness } from './ledger.harness';

describe('ledger commands over Kafka request-reply', () => {
  const ledger = new LedgerHarness();
  let commands: CommandClient;

  beforeAll(async () => {
    await ledger.start();
    commands = await ledger.commands();
  });
  afterAll(() => ledger.stop());

  it('creates an account and an API key from the hash of a secret that never travels on Kafka', async () => {
    expect(
      await commands.send('ledger.create-account', {
        account_id: 'acct_cmd',
        name: 'Command Co',
        tier: 'pro',
      }),
    ).toEqual({
      account_id: 'acct_cmd',
      name: 'Command Co',
      currency: 'USD',
      tier: 'pro',
      status: 'active',
      created: true,
    });
    const { secret, secretSha256, prefix } = newApiKeySecret();
    const replies = await ledger.kafka.record(`${ledger.topic('ledger.create-api-key')}.reply`);
    const key = await commands.send<Record<string, unknown>>('ledger.create-api-key', {
      account_id: 'acct_cmd',
      name: 'gateway',
      secret_sha256: secretSha256,
      prefix,
    });
    expect(key).toEqual({
      api_key_id: expect.stringMatching(/^key_[0-9a-f]{16}$/),
      account_id: 'acct_cmd',
      name: 'gateway',
      prefix: secret.slice(0, 12),
      created_at: expect.any(String),
      revoked_at: null,
    });
    const [stored] = await queryDatabase<{ secret_hash: string }>(
      ledger.isolation.databaseUrl,
      `SELECT secret_hash FROM "${ledger.isolation.schema('ledger')}".api_keys WHERE api_key_id = $1`,
      [key['api_key_id']],
    );
    expect(stored!.secret_hash).toBe(secretSha256);
    // Neither the request nor the reply record holds the secret.
    await replies.waitForCount(1);
    expect(
      replies.messages.some((message) =>
        message.value?.toString('utf8').includes(secret.slice(12)),
      ),
    ).toBe(false);
    // A retried create answers the same key; the same hash for another account is refused.
    expect(
      await commands.send('ledger.create-api-key', {
        account_id: 'acct_cmd',
        name: 'gateway',
        secret_sha256: secretSha256,
        prefix,
      }),
    ).toEqual(key);
    await commands.send('ledger.create-account', { account_id: 'acct_cmd_other', name: 'Other' });
    expect(
      await commands.send('ledger.create-api-key', {
        account_id: 'acct_cmd_other',
        name: 'copy',
        secret_sha256: secretSha256,
        prefix,
      }),
    ).toMatchObject({ error_code: 'API_KEY_CONFLICT' });
    for (const bad of [
      { secret_sha256: 'abc', prefix },
      { secret_sha256: secretSha256.toUpperCase(), prefix },
      { secret_sha256: secretSha256, prefix: 'tly_\u0000' },
      { secret: 'tly_plaintext', prefix },
    ]) {
      expect(
        await commands.send('ledger.create-api-key', {
          account_id: 'acct_cmd',
          name: 'bad',
          ...bad,
        }),
      ).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    }
    const response = await fetch(`${ledger.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ estimated_cost: '0.01' }),
    });
    expect(response.status).toBe(402);
    expect(await response.json()).toMatchObject({
      authorized: false,
      error_code: 'BUDGET_EXHAUSTED',
      available: '0.000000',
    });
  });

  it('revokes a key: refused at once, revoking again keeps the first instant, an unknown key is API_KEY_NOT_FOUND', async () => {
    const { api_key_id: apiKeyId, secret } = await createApiKey(commands, 'acct_cmd', 'to revoke');
    const authorize = () =>
      fetch(`${ledger.url}/v1/authorizations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ estimated_cost: '0.01' }),
      });
    expect((await authorize()).status).toBe(402); // known key, no funds: its answer is cached now
    const revoked = await commands.send<{ revoked_at: string }>('ledger.revoke-api-key', {
      account_id: 'acct_cmd',
      api_key_id: apiKeyId,
    });
    expect(revoked).toMatchObject({
      api_key_id: apiKeyId,
      account_id: 'acct_cmd',
      name: 'to revoke',
    });
    const revokedAt = Date.parse(revoked.revoked_at);
    expect(Number.isNaN(revokedAt)).toBe(false);
    // Refused at once: the hold's own statement checks the key (ADR 0053).
    expect((await authorize()).status).toBe(401);
    expect(
      await commands.send('ledger.revoke-api-key', {
        account_id: 'acct_cmd',
        api_key_id: apiKeyId,
      }),
    ).toMatchObject({ revoked_at: revoked.revoked_at });
    expect(
      await commands.send('ledger.revoke-api-key', {
        account_id: 'acct_cmd',
        api_key_id: 'key_none',
      }),
    ).toMatchObject({ error_code: 'API_KEY_NOT_FOUND' });
    expect(
      await commands.send('ledger.revoke-api-key', {
        account_id: 'acct_cmd_other',
        api_key_id: apiKeyId,
      }),
    ).toMatchObject({ error_code: 'API_KEY_NOT_FOUND' });
  });

  it('grants credit once per idempotency key, refuses bad amounts with a code, and reports the status', async () => {
    const grant = {
      account_id: 'acct_cmd',
      amount: '25.00',
      kind: 'grant',
      reason: 'trial',
      idempotency_key: 'trial-cmd',
    };
    const first = await commands.send('ledger.grant-credit', grant);
    expect(first).toMatchObject({
      account_id: 'acct_cmd',
      kind: 'grant',
      amount: '25.00',
      replayed: false,
    });
    expect(await commands.send('ledger.grant-credit', grant)).toMatchObject({
      transaction_id: first['transaction_id'],
      replayed: true,
    });
    for (const amount of ['-1', '0', 'abc', 25, '99999999']) {
      expect(
        await commands.send('ledger.grant-credit', {
          ...grant,
          amount,
          idempotency_key: `bad-${String(amount)}`,
        }),
      ).toMatchObject({ error_code: 'INVALID_AMOUNT' });
    }
    expect(
      await commands.send('ledger.grant-credit', { ...grant, account_id: 'acct_none' }),
    ).toMatchObject({ error_code: 'ACCOUNT_NOT_FOUND' });
    expect(await commands.send('ledger.grant-credit', { account_id: 'acct_cmd' })).toMatchObject({
      error_code: 'VALIDATION_FAILED',
    });
    expect(await commands.send('ledger.budget-status', { account_id: 'acct_cmd' })).toEqual({
      account_id: 'acct_cmd',
      api_key_id: null,
      used: '0.000000',
      remaining: '0.000000',
      extra_credit_remaining: '25.000000',
      available: '25.000000',
      available_percent: 100,
      alert_level: 'GREEN',
      recommended_strategy: 'QUALITY_FIRST',
      days_remaining: null,
      projected_period_cost: '0.000000',
      over_soft_limit: false,
      over_hard_limit: false,
      overage: '0.000000',
      period: { start: null, end: null },
    });
  });

  it('reconciles: postings sum to zero and cached balances equal derived ones; a tampered balance is reported', async () => {
    expect(await commands.send('ledger.reconcile', {})).toEqual({
      ok: true,
      postings_total: '0.000000000000',
      mismatches: [],
    });
    const schema = ledger.isolation.schema('ledger');
    await queryDatabase(
      ledger.isolation.databaseUrl,
      `UPDATE "${schema}".ledger_accounts SET balance = balance + 1 WHERE account_id = 'acct_cmd' AND code = 'credit'`,
    );
    expect(await commands.send('ledger.reconcile', {})).toEqual({
      ok: false,
      postings_total: '0.000000000000',
      mismatches: [
        {
          kind: 'cached_balance',
          account_id: 'acct_cmd',
          ledger_account: 'credit',
          cached: '26.000000000000',
          derived: '25.000000000000',
        },
      ],
    });
    await queryDatabase(
      ledger.isolation.databaseUrl,
      `UPDATE "${schema}".ledger_accounts SET balance = balance - 1 WHERE account_id = 'acct_cmd' AND code = 'credit'`,
    );
  });

  it('reports a posting whose transaction is missing (postings have no foreign keys, ADR 0007)', async () => {
    const schema = ledger.isolation.schema('ledger');
    const [orphan] = await queryDatabase<{ transaction_id: string }>(
      ledger.isolation.databaseUrl,
      `SELECT transaction_id FROM "${schema}".postings WHERE account_id = 'acct_cmd' ORDER BY transaction_id LIMIT 1`,
    );
    const postings = await queryDatabase<{ ledger_code: string; amount: string }>(
      ledger.isolation.databaseUrl,
      `SELECT ledger_code, amount::text AS amount FROM "${schema}".postings WHERE account_id = 'acct_cmd' AND transaction_id = $1 ORDER BY ledger_code`,
      [orphan!.transaction_id],
    );
    const move = (from: string, to: string) =>
      queryDatabase(
        ledger.isolation.databaseUrl,
        `UPDATE "${schema}".postings SET transaction_id = $2 WHERE account_id = 'acct_cmd' AND transaction_id = $1`,
        [from, to],
      );
    const nowhere = '00000000-0000-4000-8000-000000000000';
    await move(orphan!.transaction_id, nowhere);
    const report = await commands.send<{ ok: boolean; mismatches: Array<Record<string, string>> }>(
      'ledger.reconcile',
      {},
    );
    expect(report.ok).toBe(false);
    expect(
      report.mismatches.map(({ kind, account_id, ledger_account }) => ({
        kind,
        account_id,
        ledger_account,
      })),
    ).toEqual(
      postings.map((posting) => ({
        kind: 'orphan_posting',
        account_id: 'acct_cmd',
        ledger_account: posting.ledger_code,
      })),
    );
    await move(nowhere, orphan!.transaction_id);
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true });
  });

  it("reports a key's held total that differs from its held reservations (ADR 0010)", async () => {
    const schema = ledger.isolation.schema('ledger');
    const [{ api_key_id: apiKeyId }] = (await queryDatabase<{ api_key_id: string }>(
      ledger.isolation.databaseUrl,
      `SELECT api_key_id FROM "${schema}".api_keys WHERE account_id = 'acct_cmd'`,
    )) as [{ api_key_id: string }];
    const nudge = (by: string) =>
      queryDatabase(
        ledger.isolation.databaseUrl,
        `UPDATE "${schema}".api_keys SET held = held + $2 WHERE api_key_id = $1`,
        [apiKeyId, by],
      );
    await nudge('0.5');
    expect(await commands.send('ledger.reconcile', {})).toEqual({
      ok: false,
      postings_total: '0.000000000000',
      mismatches: [
        {
          kind: 'held_total',
          account_id: 'acct_cmd',
          api_key_id: apiKeyId,
          cached: '0.500000000000',
          derived: '0',
        },
      ],
    });
    await nudge('-0.5');
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true });
  });

  it('reports a reservation whose account or key does not exist (reservations have no foreign key, ADR 0056)', async () => {
    const schema = ledger.isolation.schema('ledger');
    const place = (accountId: string, apiKeyId: string, reservationId: string) =>
      queryDatabase(
        ledger.isolation.databaseUrl,
        `INSERT INTO "${schema}".reservations (account_id, reservation_id, api_key_id, amount, status, expires_at)
         VALUES ($1, $2, $3, 0, 'released', now())`,
        [accountId, reservationId, apiKeyId],
      );
    await place('acct_nowhere', 'key_nowhere', 'res_no_account');
    await place('acct_cmd', 'key_nowhere', 'res_no_key');
    expect(await commands.send('ledger.reconcile', {})).toEqual({
      ok: false,
      postings_total: '0.000000000000',
      mismatches: [
        {
          kind: 'orphan_reservation',
          account_id: 'acct_cmd',
          api_key_id: 'key_nowhere',
          reservation_id: 'res_no_key',
        },
        {
          kind: 'orphan_reservation',
          account_id: 'acct_nowhere',
          api_key_id: 'key_nowhere',
          reservation_id: 'res_no_account',
        },
      ],
    });
    await queryDatabase(
      ledger.isolation.databaseUrl,
      `DELETE FROM "${schema}".reservations WHERE api_key_id = 'key_nowhere'`,
    );
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true });
  });

  // Last: from here on two instances share the schema and the command group.
  it('a revocation holds on every instance at once', async () => {
    const { api_key_id: apiKeyId, secret } = await createApiKey(commands, 'acct_cmd', 'two');
    const urls = [ledger.url, ledger.urlOf(await ledger.startInstance())];
    const authorize = (url: string) =>
      fetch(`${url}/v1/authorizations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ estimated_cost: '0.01' }),
      });
    // Both instances know the key now, and keep that answer until a statement finds it revoked.
    for (const url of urls) expect((await authorize(url)).status).toBe(201);
    await commands.send('ledger.revoke-api-key', { account_id: 'acct_cmd', api_key_id: apiKeyId });
    for (const url of urls) expect((await authorize(url)).status).toBe(401);
  });
});
