import fc from 'fast-check';
import { LEDGER_COMMAND_PATTERNS } from '../src/commands/commands.module';
import type { CommandClient } from '@tally/testing';
import { queryDatabase, usageRated } from '@tally/testing';
import { hostileText, hostileValue } from './hostile-input';
import { LedgerHarness } from './ledger.harness';

/** Issue 15: what an attacker with access to the command topics tried, and random payloads. */
describe('ledger commands refuse abuse with a code and change nothing', () => {
  const ledger = new LedgerHarness();
  let commands: CommandClient;
  const transactionCount = () => ledger.rowCount('transactions');

  beforeAll(async () => {
    await ledger.start();
    commands = await ledger.commands();
    await commands.send('ledger.create-account', { account_id: 'acct_abuse', name: 'Abuse Ltd' });
  });
  afterAll(() => ledger.stop());

  it('create-account on an existing id changes nothing and says so; one that usage opened is completed', async () => {
    expect(
      await commands.send('ledger.create-account', {
        account_id: 'acct_abuse',
        name: 'Renamed by someone else',
        tier: 'enterprise',
      }),
    ).toEqual({
      account_id: 'acct_abuse',
      name: 'Abuse Ltd',
      currency: 'USD',
      // Created without a tier: on the default plan, free (DESIGN 4, Plans).
      tier: 'free',
      status: 'active',
      created: false,
    });
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), 'acct_opened_by_usage', [
      usageRated('acct_opened_by_usage', '0.10'),
    ]);
    let reply: Record<string, unknown> = {};
    for (let attempt = 0; attempt < 50 && reply['created'] !== true; attempt += 1) {
      const [opened] = await queryDatabase<{ opened_by: string }>(
        ledger.isolation.databaseUrl,
        `SELECT opened_by FROM "${ledger.isolation.schema('ledger')}".accounts WHERE account_id = 'acct_opened_by_usage'`,
      );
      if (opened?.opened_by !== 'usage') {
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      reply = await commands.send('ledger.create-account', {
        account_id: 'acct_opened_by_usage',
        name: 'Opened By Usage Inc.',
      });
    }
    expect(reply).toMatchObject({ name: 'Opened By Usage Inc.', created: true });
  });

  it('an idempotency key answers the transaction it posted, and refuses another request under it', async () => {
    const grant = {
      account_id: 'acct_abuse',
      amount: '50',
      kind: 'grant',
      reason: 'goodwill',
      idempotency_key: 'goodwill-1',
    };
    const first = await commands.send<Record<string, unknown>>('ledger.grant-credit', grant);
    expect(first).toMatchObject({ account_id: 'acct_abuse', amount: '50', replayed: false });
    expect(await commands.send('ledger.grant-credit', { ...grant, amount: '50.000' })).toEqual({
      ...first,
      replayed: true,
    });
    for (const changed of [{ amount: '999' }, { kind: 'bonus' }, { reason: 'something else' }]) {
      expect(await commands.send('ledger.grant-credit', { ...grant, ...changed })).toMatchObject({
        error_code: 'IDEMPOTENCY_KEY_REUSED',
        message: expect.stringContaining(String(first['transaction_id'])),
      });
    }
    expect(await commands.send('ledger.budget-status', { account_id: 'acct_abuse' })).toMatchObject(
      {
        extra_credit_remaining: '50.000000',
      },
    );
  });

  it('refuses NUL and unpaired surrogates in text fields with VALIDATION_FAILED, never INTERNAL_ERROR', async () => {
    const before = await transactionCount();
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['ledger.create-account', { account_id: 'acct_nul', name: 'A\u0000B' }],
      ['ledger.create-account', { account_id: 'acct_lone', name: 'broken \ud800 name' }],
      [
        'ledger.grant-credit',
        {
          account_id: 'acct_\u0000',
          amount: '1',
          kind: 'grant',
          reason: 'r',
          idempotency_key: 'k',
        },
      ],
      [
        'ledger.grant-credit',
        {
          account_id: 'acct_abuse',
          amount: '1',
          kind: 'grant',
          reason: 'r\u0000',
          idempotency_key: 'k',
        },
      ],
      [
        'ledger.grant-credit',
        {
          account_id: 'acct_abuse',
          amount: '1',
          kind: 'grant',
          reason: 'r',
          idempotency_key: '\udc00',
        },
      ],
      ['ledger.budget-status', { account_id: 'acct_abuse', api_key_id: 'key_\u0000' }],
      [
        'ledger.set-budget',
        { account_id: 'acct_abuse\u0000', period: 'none', limit: '1', hard_limit: true },
      ],
      ['ledger.revoke-api-key', { account_id: 'acct_abuse', api_key_id: '\u0000' }],
    ];
    for (const [pattern, payload] of attempts) {
      expect([pattern, await commands.send(pattern, payload)]).toEqual([
        pattern,
        { error_code: 'VALIDATION_FAILED', message: expect.any(String) },
      ]);
    }
    expect(await transactionCount()).toBe(before);
  });

  it('refuses a budget limit or overage limit above 10^12, whose figures no reader would take (ADR 0097)', async () => {
    // 26 nines and any credit made an `available` of 27 digits: every balance-changed of the
    // account was dead-lettered by top-up, alerting and admin (no auto top-up, no alert).
    for (const limits of [
      { limit: '99999999999999999999999999' },
      { limit: '1000000000000.000000000001' },
      { limit: '10.00', overage_limit: '99999999999999999999999999' },
    ]) {
      expect(
        await commands.send('ledger.set-budget', {
          account_id: 'acct_abuse',
          period: 'monthly',
          reset_day: 1,
          hard_limit: true,
          ...limits,
        }),
      ).toEqual({ error_code: 'VALIDATION_FAILED', message: expect.stringContaining('10^12') });
    }
  });

  it('random payloads on every command: a reply every time, never INTERNAL_ERROR, no posting from a refusal', async () => {
    const text = hostileText(
      '',
      '\u0000',
      '\ud800',
      'acct_abuse',
      'grant',
      'none',
      '-1',
      '0',
      '1e3',
      '0.0000000000001',
      'x'.repeat(5000),
    );
    const value = hostileValue(text, fc.dictionary(text, text, { maxKeys: 3 }));
    const fields = [
      'account_id',
      'name',
      'tier',
      'currency',
      'amount',
      'kind',
      'reason',
      'idempotency_key',
      'api_key_id',
      'period',
      'limit',
      'hard_limit',
      'reset_day',
      'secret_sha256',
      'prefix',
      'soft_limit_percent',
      'expires_at',
    ];
    // ClientKafka refuses to send null or undefined itself; raw records of any bytes are the
    // command server's tests (libs/messaging).
    const payload = fc.oneof(
      fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 8 }),
      value.filter((body) => body !== null),
    );
    const patterns = LEDGER_COMMAND_PATTERNS.filter((pattern) => pattern !== 'ledger.reconcile');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...patterns), payload, async (pattern, body) => {
        const before = await transactionCount();
        const reply = await commands.send<Record<string, unknown>>(pattern, body);
        expect(reply).toEqual(expect.any(Object));
        expect(reply['error_code']).not.toBe('INTERNAL_ERROR');
        if (reply['error_code'] !== undefined) expect(await transactionCount()).toBe(before);
      }),
      { numRuns: 150 },
    );
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true, mismatches: [] });
  });
});
