import type { BalanceChanged } from '@tally/budget-domain';
import { eventually, isolate, queryDatabase, usageRated } from '@tally/testing';
import type { TopicRecorder } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { BalancesService } from '../src/balances/balances.service';
import { BudgetsService } from '../src/budgets/budgets.service';
import { CreditsService } from '../src/credits/credits.service';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { LedgerHarness, TestClock } from './ledger.harness';

/**
 * A hold reserves its key's budget as well as the account's (ADR 0126): usage charged to
 * another key of the account does not end it, as that key may not release it either. Usage
 * that names no key, or a key the ledger does not know, still settles it.
 */
describe('a hold is settled only by usage of its own key, or usage no other key claims (ADR 0126)', () => {
  const clock = new TestClock(new Date('2026-12-10T10:00:00Z'));
  const ledger = new LedgerHarness(isolate(), clock);
  let balances: TopicRecorder;

  const authorize = async (secret: string, cost: string) => {
    const response = await fetch(`${ledger.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ estimated_cost: cost }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const holdOf = async (secret: string, cost: string) => {
    const { status, body } = await authorize(secret, cost);
    expect(status).toBe(201);
    return body['reservation_id'] as string;
  };
  const reservation = async (reservationId: string) =>
    (
      await queryDatabase<{ status: string; settled_cost: string | null }>(
        ledger.isolation.databaseUrl,
        `SELECT status, settled_cost::text FROM "${ledger.isolation.schema('ledger')}".reservations WHERE reservation_id = $1`,
        [reservationId],
      )
    )[0];
  const keyTotals = (account: string) =>
    queryDatabase<{ api_key_id: string; held: string }>(
      ledger.isolation.databaseUrl,
      `SELECT api_key_id, held::text FROM "${ledger.isolation.schema('ledger')}".api_keys WHERE account_id = $1 ORDER BY name`,
      [account],
    );
  const accountAnnouncements = (account: string) =>
    balances
      .json<BalanceChanged>()
      .filter((balance) => balance.account_id === account && balance.api_key_id === null);
  /** Posts one usage event and waits for the account's announcement of it. */
  const postUsage = async (account: string, event: Record<string, unknown>) => {
    const before = accountAnnouncements(account).length;
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [event]);
    return eventually(() => {
      const announced = accountAnnouncements(account).slice(before);
      const posted = announced.find((balance) => balance.cause.kind === 'usage');
      if (!posted) throw new Error(`no usage announcement of ${account} yet`);
      return posted;
    });
  };
  /** An account with 10.00 of credit and two keys; the gateway key has a hard budget of 5.00. */
  const openAccount = async (account: string) => {
    await ledger.get(AccountsService).createAccount({ accountId: account, name: account });
    const gateway = await ledger.createApiKey(account, 'a-gateway');
    const batch = await ledger.createApiKey(account, 'b-batch');
    await ledger.get(CreditsService).grant({
      accountId: account,
      amount: '10.00',
      kind: 'grant',
      reason: 'holds',
      idempotencyKey: `${account}-grant`,
    });
    await ledger.get(BudgetsService).setBudget({
      account_id: account,
      api_key_id: gateway.api_key_id,
      period: 'none',
      limit: '5.00',
      hard_limit: true,
    });
    return { gateway, batch };
  };

  beforeAll(async () => {
    await ledger.start();
    balances = await ledger.kafka.record(ledger.topic('ledger.balance-changed'));
  });
  afterAll(() => ledger.stop());

  it("usage charged to another key of the account leaves the hold held; the key's budget stays reserved", async () => {
    const account = 'acct_two_keys';
    const { gateway, batch } = await openAccount(account);
    const reservationId = await holdOf(gateway.secret, '4.00');

    // The batch key's usage names the gateway's reservation (a caller's mix-up).
    const posted = await postUsage(
      account,
      usageRated(account, '0.100000', {
        api_key_id: batch.api_key_id,
        reservation_id: reservationId,
      }),
    );
    // 10.00 - 0.10 used = 9.90 of credit, 4.00 of it still held for the gateway's call.
    expect(posted).toMatchObject({
      used: '0.100000',
      extra_credit_remaining: '9.900000',
      available: '5.900000',
    });
    expect(await reservation(reservationId)).toEqual({ status: 'held', settled_cost: null });
    expect(await keyTotals(account)).toEqual([
      { api_key_id: gateway.api_key_id, held: '4.000000000000' },
      { api_key_id: batch.api_key_id, held: '0.000000000000' },
    ]);
    expect(await ledger.get(BalancesService).status(account, gateway.api_key_id)).toMatchObject({
      used: '0.000000',
      remaining: '5.000000',
      available: '1.000000',
    });
    // So the gateway key cannot reserve its budget twice over: 1.00 is left of its 5.00.
    expect(await authorize(gateway.secret, '4.00')).toMatchObject({
      status: 402,
      body: { error_code: 'API_KEY_BUDGET_EXHAUSTED', available: '1.000000' },
    });

    // The gateway's own usage settles it, with what it cost.
    const settled = await postUsage(
      account,
      usageRated(account, '3.500000', {
        api_key_id: gateway.api_key_id,
        reservation_id: reservationId,
      }),
    );
    expect(settled).toMatchObject({
      used: '3.600000',
      extra_credit_remaining: '6.400000',
      available: '6.400000',
    });
    expect(await reservation(reservationId)).toEqual({
      status: 'settled',
      settled_cost: '3.500000000000',
    });
    expect(await ledger.get(BalancesService).status(account, gateway.api_key_id)).toMatchObject({
      used: '3.500000',
      remaining: '1.500000',
      available: '1.500000',
    });
    expect(await keyTotals(account)).toEqual([
      { api_key_id: gateway.api_key_id, held: '0.000000000000' },
      { api_key_id: batch.api_key_id, held: '0.000000000000' },
    ]);
    expect(await ledger.get(ReconciliationService).reconcile()).toMatchObject({ ok: true });
  });

  it('usage that names no key, or a key the ledger does not know, settles the hold as before', async () => {
    const account = 'acct_keyless_usage';
    const { gateway } = await openAccount(account);
    const first = await holdOf(gateway.secret, '2.00');
    const second = await holdOf(gateway.secret, '1.00');

    const keyless = await postUsage(
      account,
      usageRated(account, '0.250000', { api_key_id: null, reservation_id: first }),
    );
    expect(keyless).toMatchObject({ used: '0.250000', available: '8.750000' });
    expect(await reservation(first)).toEqual({ status: 'settled', settled_cost: '0.250000000000' });

    const unknownKey = await postUsage(
      account,
      usageRated(account, '0.500000', { api_key_id: 'key_of_the_gateway', reservation_id: second }),
    );
    expect(unknownKey).toMatchObject({
      used: '0.750000',
      extra_credit_remaining: '9.250000',
      available: '9.250000',
    });
    expect(await reservation(second)).toEqual({
      status: 'settled',
      settled_cost: '0.500000000000',
    });
    expect((await keyTotals(account))[0]).toEqual({
      api_key_id: gateway.api_key_id,
      held: '0.000000000000',
    });
    expect(await ledger.get(ReconciliationService).reconcile()).toMatchObject({ ok: true });
  });
  it("another account's usage naming the hold, or the same key's after it ended, leaves it as it is", async () => {
    const account = 'acct_hold_owner';
    const { gateway } = await openAccount(account);
    const other = 'acct_hold_stranger';
    const { gateway: stranger } = await openAccount(other);
    const reservationId = await holdOf(gateway.secret, '3.00');

    const strangers = await postUsage(
      other,
      usageRated(other, '0.200000', {
        api_key_id: stranger.api_key_id,
        reservation_id: reservationId,
      }),
    );
    expect(strangers).toMatchObject({ used: '0.200000', available: '9.800000' });
    expect(await reservation(reservationId)).toEqual({ status: 'held', settled_cost: null });

    // Settled once by its key's usage; a second event naming it is posted and settles nothing.
    await postUsage(
      account,
      usageRated(account, '1.000000', {
        api_key_id: gateway.api_key_id,
        reservation_id: reservationId,
      }),
    );
    const again = await postUsage(
      account,
      usageRated(account, '0.500000', {
        api_key_id: gateway.api_key_id,
        reservation_id: reservationId,
      }),
    );
    expect(again).toMatchObject({
      used: '1.500000',
      extra_credit_remaining: '8.500000',
      available: '8.500000',
    });
    expect(await reservation(reservationId)).toEqual({
      status: 'settled',
      settled_cost: '1.000000000000',
    });
    expect(await ledger.get(BalancesService).status(account, gateway.api_key_id)).toMatchObject({
      used: '1.500000',
      remaining: '3.500000',
      available: '3.500000',
    });
    expect((await keyTotals(account))[0]!.held).toBe('0.000000000000');
    expect(await ledger.get(ReconciliationService).reconcile()).toMatchObject({ ok: true });
  });
});
