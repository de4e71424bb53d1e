import fc from 'fast-check';
import type { DeadLetterRecord } from '@tally/budget-domain';
import type { CommandClient } from '@tally/testing';
import { createApiKey, eventually, queryDatabase, usageRated } from '@tally/testing';
import { hostileText, hostileValue } from './hostile-input';
import { LedgerHarness } from './ledger.harness';

/** Issue 15: authorizations and payments as an attacker sent them, and random bodies. */
describe('authorizations and payments refuse abuse with a code and hold nothing', () => {
  const ledger = new LedgerHarness();
  const account = 'acct_auth_abuse';
  let commands: CommandClient;
  let secret: string;

  const authorize = (body: unknown) => ledger.authorize(secret, body);
  const reservations = () => ledger.rowCount('reservations');

  beforeAll(async () => {
    await ledger.start();
    commands = await ledger.commands();
    await commands.send('ledger.create-account', { account_id: account, name: 'Abuse Inc.' });
    secret = (await createApiKey(commands, account, 'gateway')).secret;
    await commands.send('ledger.grant-credit', {
      account_id: account,
      amount: '100.00',
      kind: 'grant',
      reason: 'trial',
      idempotency_key: 'trial',
    });
  });
  afterAll(() => ledger.stop());

  it('refuses a request_id with a NUL or an unpaired surrogate: two such ids never share a hold', async () => {
    for (const requestId of ['req\u0000a', 'req\ud800', 'req\udfff']) {
      const response = await authorize({ estimated_cost: '1.00', request_id: requestId });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        error_code: 'VALIDATION_FAILED',
        message: expect.stringContaining('request_id'),
      });
    }
    expect(await reservations()).toBe(0);
  });

  it('refuses a zero hold, explicit or priced from a free model', async () => {
    for (const body of [
      { estimated_cost: '0' },
      { estimated_cost: '0.000000' },
      { service: 'llm', model: 'ollama/llama3', input_tokens: 1000, max_output_tokens: 1000 },
    ]) {
      const response = await authorize(body);
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    }
    expect(await reservations()).toBe(0);
  });

  it("refuses an estimated cost above 1,000,000 (422), so a key's held total never overflows into a 500", async () => {
    // A budget without a hard limit grants any hold: each fits NUMERIC(38,12), their sum did not.
    const soft = 'acct_auth_abuse_soft';
    await commands.send('ledger.create-account', { account_id: soft, name: 'Soft Ltd' });
    const { api_key_id: softKeyId, secret: softSecret } = await createApiKey(
      commands,
      soft,
      'gateway',
    );
    await commands.send('ledger.set-budget', {
      account_id: soft,
      period: 'monthly',
      reset_day: 1,
      limit: '10.00',
      hard_limit: false,
    });
    const authorizeSoft = async (estimatedCost: string) => {
      const response = await ledger.authorize(softSecret, { estimated_cost: estimatedCost });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const keyHeld = async () => {
      const [key] = await queryDatabase<{ held: string }>(
        ledger.isolation.databaseUrl,
        `SELECT held::text FROM "${ledger.isolation.schema('ledger')}".api_keys WHERE account_id = $1 AND api_key_id = $2`,
        [soft, softKeyId],
      );
      return key?.held;
    };

    const huge = [
      await authorizeSoft('60000000000000000000000000'),
      await authorizeSoft('60000000000000000000000000'),
      await authorizeSoft('1000000.000000000001'),
    ];
    expect(huge.map((answer) => answer.status)).toEqual([422, 422, 422]);
    for (const { body } of huge) {
      expect(body).toMatchObject({
        error_code: 'VALIDATION_FAILED',
        message: expect.stringContaining('1000000'),
      });
    }
    expect(await keyHeld()).toBe('0.000000000000');

    const largest = [await authorizeSoft('1000000'), await authorizeSoft('1000000')];
    expect(largest.map((answer) => answer.status)).toEqual([201, 201]);
    expect(largest[1]?.body).toMatchObject({ authorized: true, amount: '1000000.000000' });
    expect(await keyHeld()).toBe('2000000.000000000000');
  });

  it('refuses a model estimate the catalog cannot price with UNKNOWN_MODEL, and holds a known one at its price', async () => {
    const unknown = await authorize({
      service: 'llm',
      model: 'my-private-model',
      input_tokens: 1000,
      max_output_tokens: 1000,
    });
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toEqual({
      error_code: 'UNKNOWN_MODEL',
      message: 'the price catalog does not know my-private-model: send estimated_cost instead',
    });
    const o1 = await authorize({
      service: 'llm',
      model: 'o1',
      input_tokens: 1000,
      max_output_tokens: 1000,
    });
    expect(o1.status).toBe(201);
    expect(await o1.json()).toMatchObject({ authorized: true, amount: '0.075000' });
  });

  it('random bodies: never a 500, and no hold from a refused request', async () => {
    const text = hostileText(
      '\u0000',
      '\ud800',
      '0',
      '-1',
      '1e3',
      '0.05',
      'gpt-4o',
      'llm',
      'x'.repeat(3000),
    );
    const value = hostileValue(text);
    const fields = [
      'estimated_cost',
      'ttl_seconds',
      'request_id',
      'service',
      'model',
      'provider',
      'input_tokens',
      'max_output_tokens',
      'power_level',
      'wait_ms',
    ];
    const body = fc.oneof(
      fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 6 }),
      value.map((raw) => JSON.stringify(raw)),
      fc.string().map((raw) => `{"estimated_cost": ${raw}`),
    );
    await fc.assert(
      fc.asyncProperty(body, async (sent) => {
        const before = await reservations();
        const response = await authorize(sent);
        expect(response.status).not.toBeGreaterThanOrEqual(500);
        const answer = (await response.json()) as Record<string, unknown>;
        expect(answer).toEqual(expect.any(Object));
        if (response.status !== 201) expect(await reservations()).toBe(before);
      }),
      { numRuns: 200 },
    );
  });

  it('a payments.events record with a NUL is dead-lettered and the payment behind it is credited', async () => {
    const deadLetters = await ledger.kafka.record(ledger.topic('usage.dead-letter'));
    const payment = (id: string, accountId: string) => ({
      id,
      account_id: accountId,
      kind: 'credit_purchased',
      trigger: 'manual',
      credit_amount: '10',
      paid_amount: '30.00',
      paid_currency: 'CHF',
      stripe_ref: `cs_${id}`,
      at: new Date().toISOString(),
    });
    await ledger.kafka.produceJson(ledger.topic('payments.events'), account, [
      payment('pay_nul', 'acct_\u0000evil'),
      payment('pay_good', account),
    ]);
    const [deadLetter] = await deadLetters.waitForCount<DeadLetterRecord>(1);
    expect(deadLetter).toMatchObject({ reason: 'schema_violation', service: 'ledger' });
    expect(deadLetter!.error).toContain('account_id');
    await eventually(async () =>
      expect(await commands.send('ledger.budget-status', { account_id: account })).toMatchObject({
        extra_credit_remaining: '110.000000',
      }),
    );
  });

  it('a usage.rated record with a NUL is dead-lettered and the usage behind it is posted', async () => {
    const deadLetters = await ledger.kafka.record(ledger.topic('usage.dead-letter'));
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [
      usageRated(account, '1.000000', { model: 'gpt-4o\u0000evil' }),
      usageRated(account, '2.000000'),
    ]);
    // The recorder reads the topic from its start: the payment's dead letter is there too.
    const deadLetter = await eventually(() => {
      const found = deadLetters
        .json<DeadLetterRecord>()
        .find((record) => record.source_topic === ledger.topic('usage.rated'));
      if (!found) throw new Error('no dead letter from usage.rated yet');
      return found;
    });
    expect(deadLetter).toMatchObject({ reason: 'schema_violation', service: 'ledger' });
    expect(deadLetter.error).toContain('model');
    await eventually(async () =>
      expect(await commands.send('ledger.budget-status', { account_id: account })).toMatchObject({
        used: '2.000000',
      }),
    );
  });
});
