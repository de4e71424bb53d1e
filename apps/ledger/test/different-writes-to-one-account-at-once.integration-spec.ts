import { holdRowLock, queryDatabase, usageRated } from '@tally/testing';
import { DataSource } from 'typeorm';
import { AccountsService } from '../src/accounts/accounts.service';
import { CreditsService } from '../src/credits/credits.service';
import { HoldsStore } from '../src/holds/holds.store';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { LedgerHarness, TestClock } from './ledger.harness';

/**
 * Two different writes to one account at the same moment, their interleaving forced: the test
 * holds a row lock both need, waits until both queue on it, and lets them go in a known order.
 * Money stays exact, each hold ends once, and the loser gets a 4xx with a code.
 */
describe('different writes to one account at once', () => {
  const clock = new TestClock(new Date());
  const ledger = new LedgerHarness(undefined, clock);
  const schema = () => `"${ledger.isolation.schema('ledger')}"`;
  const query = <T>(sql: string, params: unknown[] = []) =>
    queryDatabase<T>(ledger.isolation.databaseUrl, sql.replaceAll('$schema', schema()), params);

  const openAccount = async (accountId: string, credit: string) => {
    clock.set(new Date().toISOString());
    await ledger.get(AccountsService).createAccount({ accountId, name: accountId });
    await ledger.get(CreditsService).grant({
      accountId,
      amount: credit,
      kind: 'grant',
      reason: 'race',
      idempotencyKey: `${accountId}-opening`,
    });
    return ledger.createApiKey(accountId, 'gateway');
  };
  const hold = async (secret: string, amount: string, ttlSeconds = 60) => {
    const response = await ledger.authorize(secret, {
      estimated_cost: amount,
      ttl_seconds: ttlSeconds,
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { reservation_id: string }).reservation_id;
  };
  const reservation = async (reservationId: string) =>
    (
      await query<{ status: string }>(
        'SELECT status FROM $schema.reservations WHERE reservation_id = $1',
        [reservationId],
      )
    )[0]?.status;
  /** The account's credit balance, what its keys hold, and its usage lines' charges. */
  const books = async (accountId: string) => {
    const [row] = await query<{ credit: string; held: string; charged: string[] }>(
      `SELECT (SELECT balance::text FROM $schema.ledger_accounts WHERE account_id = $1 AND code = 'credit') AS credit,
         (SELECT sum(held)::text FROM $schema.api_keys WHERE account_id = $1) AS held,
         ARRAY(SELECT charged::text FROM $schema.usage_lines WHERE account_id = $1 ORDER BY charged DESC) AS charged`,
      [accountId],
    );
    return row;
  };
  const reconciled = async () =>
    expect(await ledger.get(ReconciliationService).reconcile()).toMatchObject({
      ok: true,
      mismatches: [],
    });

  const lockHolder = (lockSql: string, params: unknown[]) =>
    holdRowLock(ledger.isolation.databaseUrl, ledger.isolation.schema('ledger'), lockSql, params);
  const lockKey = (accountId: string, apiKeyId: string) =>
    lockHolder('SELECT 1 FROM api_keys WHERE account_id = $1 AND api_key_id = $2 FOR UPDATE', [
      accountId,
      apiKeyId,
    ]);
  const postUsage = (accountId: string, events: Array<Record<string, unknown>>) =>
    ledger.kafka.produceJson(ledger.topic('usage.rated'), accountId, events);
  const usageSettling = (
    accountId: string,
    key: { api_key_id: string },
    reservationId: string,
    cost: string,
  ) => usageRated(accountId, cost, { api_key_id: key.api_key_id, reservation_id: reservationId });
  const linesPosted = async (accountId: string, count: number) => {
    const deadline = Date.now() + 15_000;
    while (((await books(accountId))?.charged.length ?? 0) < count) {
      if (Date.now() > deadline) throw new Error(`fewer than ${count} usage lines posted`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(() => ledger.start());
  afterAll(() => ledger.stop());

  it('a release queued first ends the hold: the settling usage is charged 0.30 and settles nothing', async () => {
    const account = 'acct_race_release_first';
    const key = await openAccount(account, '10.00');
    const reservationId = await hold(key.secret, '1.00');
    const lock = await lockKey(account, key.api_key_id);

    const release = ledger.release(key.secret, reservationId);
    await lock.waitForQueue(1);
    await postUsage(account, [usageSettling(account, key, reservationId, '0.300000')]);
    await lock.waitForQueue(2);
    await lock.letGo();

    expect((await release).status).toBe(204);
    await linesPosted(account, 1);
    expect(await reservation(reservationId)).toBe('released');
    expect(await books(account)).toEqual({
      credit: '9.700000000000',
      held: '0.000000000000',
      charged: ['0.300000000000'],
    });
    await reconciled();
  });

  it('a settlement queued first ends the hold: the release answers 404 RESERVATION_NOT_FOUND', async () => {
    const account = 'acct_race_settle_first';
    const key = await openAccount(account, '10.00');
    const reservationId = await hold(key.secret, '1.00');
    const lock = await lockKey(account, key.api_key_id);

    await postUsage(account, [usageSettling(account, key, reservationId, '0.300000')]);
    await lock.waitForQueue(1);
    const release = ledger.release(key.secret, reservationId);
    await lock.waitForQueue(2);
    await lock.letGo();

    const released = await release;
    expect(released.status).toBe(404);
    expect(await released.json()).toMatchObject({ error_code: 'RESERVATION_NOT_FOUND' });
    await linesPosted(account, 1);
    expect(await reservation(reservationId)).toBe('settled');
    expect(await books(account)).toEqual({
      credit: '9.700000000000',
      held: '0.000000000000',
      charged: ['0.300000000000'],
    });
    await reconciled();
  });

  it('two usages naming one hold at once, 0.30 and 0.20: both are charged, the hold ends once', async () => {
    const account = 'acct_race_settle_twice';
    const key = await openAccount(account, '10.00');
    const reservationId = await hold(key.secret, '1.00');

    await postUsage(account, [
      usageSettling(account, key, reservationId, '0.300000'),
      usageSettling(account, key, reservationId, '0.200000'),
    ]);
    await linesPosted(account, 2);
    expect(await reservation(reservationId)).toBe('settled');
    expect(await books(account)).toEqual({
      credit: '9.500000000000',
      held: '0.000000000000',
      charged: ['0.300000000000', '0.200000000000'],
    });
    await reconciled();
  });

  it.each([
    ['the settling usage', 'settled'],
    ['the sweep', 'expired'],
  ])(
    'usage at the last instant of a hold and the sweep after its expiry, %s queued first: the hold ends once',
    async (first, ending) => {
      const account = `acct_race_expiry_${ending}`;
      const key = await openAccount(account, '10.00');
      const reservationId = await hold(key.secret, '1.00', 60);
      const expiresAt = new Date(clock.now().getTime() + 60_000);
      // The usage's slice reads the clock: one millisecond before the hold's expiry.
      clock.set(new Date(expiresAt.getTime() - 1).toISOString());
      const lock = await lockKey(account, key.api_key_id);
      const sweep = () =>
        ledger
          .get(DataSource)
          .transaction((manager) =>
            ledger.get(HoldsStore).expire(manager, new Date(expiresAt.getTime() + 1000), 200),
          );

      let swept: Promise<number>;
      if (first === 'the sweep') {
        swept = sweep();
        await lock.waitForQueue(1);
        await postUsage(account, [usageSettling(account, key, reservationId, '0.300000')]);
      } else {
        await postUsage(account, [usageSettling(account, key, reservationId, '0.300000')]);
        await lock.waitForQueue(1);
        swept = sweep();
      }
      await lock.waitForQueue(2);
      await lock.letGo();

      expect(await swept).toBe(ending === 'expired' ? 1 : 0);
      await linesPosted(account, 1);
      expect(await reservation(reservationId)).toBe(ending);
      expect(await books(account)).toEqual({
        credit: '9.700000000000',
        held: '0.000000000000',
        charged: ['0.300000000000'],
      });
      await reconciled();
    },
  );

  it('usage, a top-up credit and a refund queued on one account at once: 10 + 15 − 5 − 0.30 = 19.70', async () => {
    const account = 'acct_race_usage_payments';
    const key = await openAccount(account, '10.00');
    const lock = await lockHolder(
      "SELECT 1 FROM ledger_accounts WHERE account_id = $1 AND code = 'credit' FOR UPDATE",
      [account],
    );
    const payment = (id: string, kind: string, credit: string) => ({
      schema_version: 1,
      id,
      account_id: account,
      kind,
      trigger: 'manual',
      credit_amount: credit,
      paid_amount: kind === 'credit_refunded' ? '15.00' : '45.00',
      paid_currency: 'CHF',
      stripe_ref: 'pi_race',
      at: new Date().toISOString(),
    });

    await postUsage(account, [usageRated(account, '0.300000', { api_key_id: key.api_key_id })]);
    await ledger.kafka.produceJson(ledger.topic('payments.events'), account, [
      payment('topup:race:purchased', 'credit_purchased', '15.00'),
      payment('topup:race:refunded', 'credit_refunded', '5.00'),
    ]);
    await lock.waitForQueue(2);
    await lock.letGo();

    await linesPosted(account, 1);
    const deadline = Date.now() + 15_000;
    while ((await books(account))?.credit !== '19.700000000000' && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await books(account)).toEqual({
      credit: '19.700000000000',
      held: '0.000000000000',
      charged: ['0.300000000000'],
    });
    const kinds = await query<{ kind: string; count: number }>(
      'SELECT kind, count(*)::int AS count FROM $schema.transactions WHERE account_id = $1 GROUP BY kind ORDER BY kind',
      [account],
    );
    expect(kinds).toEqual([
      { kind: 'grant', count: 1 },
      { kind: 'purchase', count: 1 },
      { kind: 'purchase_refund', count: 1 },
      { kind: 'usage', count: 1 },
    ]);
    await reconciled();
  });

  it('a key revoked while five of its authorizations are in flight: every one answers 401 within a second, nothing is held', async () => {
    const account = 'acct_race_revoke';
    const key = await openAccount(account, '10.00');
    // Authorizations read their facts, then wait to move the account's hold counter.
    const lock = await lockHolder(
      'SELECT 1 FROM accounts WHERE account_id = $1 FOR NO KEY UPDATE',
      [account],
    );
    const inFlight = Array.from({ length: 5 }, () =>
      ledger.authorize(key.secret, { estimated_cost: '1.00' }),
    );
    await lock.waitForQueue(1);
    await (
      await ledger.commands()
    ).send('ledger.revoke-api-key', { account_id: account, api_key_id: key.api_key_id });
    const revokedAt = Date.now();
    await lock.letGo();

    const answers = await Promise.all(inFlight);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    for (const answer of answers)
      expect(await answer.json()).toMatchObject({ error_code: 'UNAUTHORIZED' });
    expect(
      await query('SELECT 1 FROM $schema.reservations WHERE account_id = $1', [account]),
    ).toEqual([]);
    expect((await books(account))?.held).toBe('0.000000000000');
    await reconciled();
  });

  it('an authorization of 5 in flight while a budget of 10 is cut to 1: it is ordered before the cut (ADR 0006), the next one sees the cut', async () => {
    const account = 'acct_race_budget_cut';
    clock.set(new Date().toISOString());
    await ledger.get(AccountsService).createAccount({ accountId: account, name: account });
    const key = await ledger.createApiKey(account, 'gateway');
    const commands = await ledger.commands();
    const budget = (limit: string) =>
      commands.send('ledger.set-budget', {
        account_id: account,
        period: 'none',
        limit,
        hard_limit: true,
      });
    await budget('10.00');
    // The authorization reads its facts, then waits to move the account's hold counter.
    const lock = await lockHolder(
      'SELECT 1 FROM accounts WHERE account_id = $1 FOR NO KEY UPDATE',
      [account],
    );
    const inFlight = ledger.authorize(key.secret, { estimated_cost: '5.00' });
    await lock.waitForQueue(1);
    await budget('1.00');
    await lock.letGo();

    const granted = await inFlight;
    expect(granted.status).toBe(201);
    expect(await granted.json()).toMatchObject({ amount: '5.000000', available: '5.000000' });
    const next = await ledger.authorize(key.secret, { estimated_cost: '0.50' });
    expect(next.status).toBe(402);
    expect(await next.json()).toMatchObject({
      error_code: 'BUDGET_EXHAUSTED',
      available: '-4.000000',
    });
    expect(
      await commands.send('ledger.budget-status', { account_id: account, api_key_id: null }),
    ).toMatchObject({ remaining: '1.000000', available: '-4.000000' });
    await reconciled();
  });
});
