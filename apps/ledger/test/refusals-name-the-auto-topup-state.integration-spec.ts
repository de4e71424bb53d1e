import { randomUUID } from 'node:crypto';
import { eventually, queryDatabase } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { CreditsService } from '../src/credits/credits.service';
import { LedgerHarness } from './ledger.harness';

const status = (
  account: string,
  sequence: number,
  state: string,
  enabled = true,
  at = new Date(),
) => ({
  schema_version: 1,
  account_id: account,
  sequence,
  auto_topup: {
    enabled,
    state,
    pending_since: state === 'pending' ? new Date().toISOString() : null,
    cooldown_until: null,
    month_auto_paid: '0.000000',
    monthly_limit: '300.000000',
    paid_currency: 'CHF',
  },
  at: at.toISOString(),
});

const autoCredit = (account: string, credit: string) => ({
  schema_version: 1,
  id: `topup:${randomUUID()}:purchased`,
  account_id: account,
  kind: 'credit_purchased',
  trigger: 'auto',
  credit_amount: credit,
  paid_amount: '30.000000',
  paid_currency: 'CHF',
  stripe_ref: 'pi_test_auto',
  at: new Date().toISOString(),
});

describe('a refusal for want of funds names the auto top-up state, and wait_ms waits for its credit', () => {
  const ledger = new LedgerHarness();
  const secrets = new Map<string, string>();

  const authorize = (account: string, body: Record<string, unknown>) =>
    fetch(`${ledger.url}/v1/authorizations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${secrets.get(account)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
  const refusal = async (account: string): Promise<Record<string, unknown>> => {
    const response = await authorize(account, { estimated_cost: '1.00' });
    return { status: response.status, ...((await response.json()) as Record<string, unknown>) };
  };
  const announce = (
    account: string,
    sequence: number,
    state: string,
    enabled = true,
    at = new Date(),
  ) =>
    ledger.kafka.produceJson(ledger.topic('topup.status-changed'), account, [
      status(account, sequence, state, enabled, at),
    ]);
  const credit = (account: string, amount: string) =>
    ledger.kafka.produceJson(ledger.topic('payments.events'), account, [
      autoCredit(account, amount),
    ]);

  beforeAll(async () => {
    await ledger.start();
    const accounts = ledger.get(AccountsService);
    for (const account of [
      'acct_states',
      'acct_wait',
      'acct_wait_fail',
      'acct_wait_out',
      'acct_capped_pending',
      'acct_limit_last_month',
    ]) {
      await accounts.createAccount({ accountId: account, name: account });
      secrets.set(account, (await ledger.createApiKey(account, 'gateway')).secret);
      await ledger.get(CreditsService).grant({
        accountId: account,
        amount: '0.50',
        kind: 'grant',
        reason: 'trial',
        idempotencyKey: `trial-${account}`,
      });
    }
  });
  afterAll(() => ledger.stop());

  it('answers AUTO_TOPUP_PENDING, _MONTHLY_LIMIT_REACHED and _NO_PAYMENT_METHOD by the latest sequence; other states stay BUDGET_EXHAUSTED', async () => {
    const account = 'acct_states';
    expect(await refusal(account)).toMatchObject({ status: 402, error_code: 'BUDGET_EXHAUSTED' });

    await announce(account, 1, 'pending');
    await eventually(async () =>
      expect(await refusal(account)).toMatchObject({
        status: 402,
        authorized: false,
        error_code: 'AUTO_TOPUP_PENDING',
        available: '0.500000',
      }),
    );

    await announce(account, 2, 'monthly_limit_reached');
    await eventually(async () =>
      expect(await refusal(account)).toMatchObject({
        error_code: 'AUTO_TOPUP_MONTHLY_LIMIT_REACHED',
      }),
    );
    expect((await refusal(account))['message']).toContain('a manual top-up still works');

    await announce(account, 4, 'no_payment_method');
    await eventually(async () =>
      expect(await refusal(account)).toMatchObject({ error_code: 'AUTO_TOPUP_NO_PAYMENT_METHOD' }),
    );

    // Older news arriving late (a new record id, a lower sequence) changes nothing.
    await announce(account, 3, 'pending');
    await eventually(async () =>
      expect(
        await queryDatabase(
          ledger.isolation.databaseUrl,
          `SELECT 1 FROM "${ledger.isolation.schema('ledger')}".inbox WHERE message_id = $1`,
          [`${account}/3`],
        ),
      ).toHaveLength(1),
    );
    expect(await refusal(account)).toMatchObject({ error_code: 'AUTO_TOPUP_NO_PAYMENT_METHOD' });

    for (const [sequence, state] of [
      [5, 'paused'],
      [6, 'cooldown'],
      [7, 'idle'],
    ] as const) {
      await announce(account, sequence, state);
      await eventually(async () =>
        expect(
          await queryDatabase(
            ledger.isolation.databaseUrl,
            `SELECT state FROM "${ledger.isolation.schema('ledger')}".topup_status WHERE account_id = $1`,
            [account],
          ),
        ).toEqual([{ state }]),
      );
      expect(await refusal(account)).toMatchObject({ error_code: 'BUDGET_EXHAUSTED' });
    }
    // An affordable call is never touched by the auto top-up state.
    const small = await authorize(account, { estimated_cost: '0.10' });
    expect(small.status).toBe(201);
  });

  it("a monthly limit announced in an earlier month no longer names the refusal: that month's limit has ended", async () => {
    const account = 'acct_limit_last_month';
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0, 23, 59, 30));
    await announce(account, 1, 'monthly_limit_reached', true, lastMonth);
    await eventually(async () =>
      expect(
        await queryDatabase(
          ledger.isolation.databaseUrl,
          `SELECT state FROM "${ledger.isolation.schema('ledger')}".topup_status WHERE account_id = $1`,
          [account],
        ),
      ).toEqual([{ state: 'monthly_limit_reached' }]),
    );
    expect(await refusal(account)).toMatchObject({ status: 402, error_code: 'BUDGET_EXHAUSTED' });

    // Top-up announces the limit reached again this month: it names the refusal again.
    await announce(account, 2, 'monthly_limit_reached');
    await eventually(async () =>
      expect(await refusal(account)).toMatchObject({
        error_code: 'AUTO_TOPUP_MONTHLY_LIMIT_REACHED',
      }),
    );
  });

  it('wait_ms: refused for a pending auto top-up, the authorization goes through once its credit lands', async () => {
    const account = 'acct_wait';
    await announce(account, 1, 'pending');
    await eventually(async () =>
      expect(await refusal(account)).toMatchObject({ error_code: 'AUTO_TOPUP_PENDING' }),
    );
    const started = Date.now();
    const waiting = authorize(account, { estimated_cost: '1.00', wait_ms: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // The status may arrive before the credit: the wait goes on until the credit is posted.
    await announce(account, 2, 'cooldown');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await credit(account, '10.000000');
    const response = await waiting;
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      authorized: true,
      amount: '1.000000',
      available: '9.500000',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
  });

  it('wait_ms: a failed auto top-up ends the wait with BUDGET_EXHAUSTED; no news ends it at wait_ms', async () => {
    await announce('acct_wait_fail', 1, 'pending');
    await announce('acct_wait_out', 1, 'pending');
    await eventually(async () => {
      expect(await refusal('acct_wait_fail')).toMatchObject({ error_code: 'AUTO_TOPUP_PENDING' });
      expect(await refusal('acct_wait_out')).toMatchObject({ error_code: 'AUTO_TOPUP_PENDING' });
    });
    const started = Date.now();
    const failing = authorize('acct_wait_fail', { estimated_cost: '1.00', wait_ms: 25_000 });
    const timingOut = authorize('acct_wait_out', { estimated_cost: '1.00', wait_ms: 1_500 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await announce('acct_wait_fail', 2, 'paused');

    const failed = await failing;
    expect(failed.status).toBe(402);
    expect(await failed.json()).toMatchObject({ error_code: 'BUDGET_EXHAUSTED' });
    expect(Date.now() - started).toBeLessThan(15_000);

    const timedOut = await timingOut;
    expect(timedOut.status).toBe(402);
    expect(await timedOut.json()).toMatchObject({ error_code: 'AUTO_TOPUP_PENDING' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
  });

  it('a monthly cap refusal is BUDGET_EXHAUSTED, never renamed for a pending auto top-up: no top-up lifts a cap', async () => {
    const account = 'acct_capped_pending';
    const commands = await ledger.commands();
    await commands.send('ledger.set-monthly-cap', { account_id: account, monthly_cap: '0.40' });
    await announce(account, 1, 'pending');
    await eventually(async () =>
      expect(
        await queryDatabase(
          ledger.isolation.databaseUrl,
          `SELECT state FROM "${ledger.isolation.schema('ledger')}".topup_status WHERE account_id = $1`,
          [account],
        ),
      ).toEqual([{ state: 'pending' }]),
    );
    const started = Date.now();
    const response = await authorize(account, { estimated_cost: '1.00', wait_ms: 10_000 });
    expect(response.status).toBe(402);
    expect(await response.json()).toMatchObject({
      error_code: 'BUDGET_EXHAUSTED',
      message: 'the monthly cap of 0.40 USD leaves 0.40 USD this month',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a wait_ms above 30,000 (422)', async () => {
    const response = await authorize('acct_wait_out', { estimated_cost: '1.00', wait_ms: 30_001 });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error_code: 'VALIDATION_FAILED' });
  });
});
