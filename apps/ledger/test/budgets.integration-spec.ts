import { Client } from 'pg';
import type { BalanceChanged } from '@tally/budget-domain';
import { createApiKey, eventually, queryDatabase, usageRated } from '@tally/testing';
import type { TopicRecorder, CommandClient } from '@tally/testing';
import { LedgerHarness, TestClock } from './ledger.harness';

type Status = Record<string, unknown>;

describe('budgets with periods, on the ledger', () => {
  const clock = new TestClock(new Date('2026-11-01T00:00:00Z'));
  const ledger = new LedgerHarness(undefined, clock);
  let commands: CommandClient;
  let balances: TopicRecorder;

  const status = (account: string, apiKeyId?: string) =>
    commands.send<Status>('ledger.budget-status', {
      account_id: account,
      api_key_id: apiKeyId ?? null,
    });
  const posted = async (account: string) =>
    (
      await queryDatabase<{ count: number }>(
        ledger.isolation.databaseUrl,
        `SELECT count(*)::int AS count FROM "${ledger.isolation.schema('ledger')}".usage_lines WHERE account_id = $1`,
        [account],
      )
    )[0]!.count;
  /** Posts usage through usage.rated and waits until the ledger has it. */
  const use = async (account: string, cost: string, apiKeyId = 'key_test') => {
    const before = await posted(account);
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), account, [
      usageRated(account, cost, { api_key_id: apiKeyId, occurred_at: clock.now().toISOString() }),
    ]);
    await eventually(async () => expect(await posted(account)).toBe(before + 1));
  };
  const transactionsOf = async (account: string, kind: string) =>
    (
      await queryDatabase<{ count: number }>(
        ledger.isolation.databaseUrl,
        `SELECT count(*)::int AS count FROM "${ledger.isolation.schema('ledger')}".transactions WHERE account_id = $1 AND kind = $2`,
        [account, kind],
      )
    )[0]!.count;
  const authorize = async (secret: string, cost: string) => {
    const response = await fetch(`${ledger.url}/v1/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ estimated_cost: cost, ttl_seconds: 60 }),
    });
    return { status: response.status, body: (await response.json()) as Status };
  };
  /** Buys credit through payments.events; resolves with the purchase's transaction id once posted. */
  const purchase = async (account: string, paymentId: string, credit: string) => {
    await ledger.kafka.produceJson(ledger.topic('payments.events'), account, [
      {
        schema_version: 1,
        id: paymentId,
        account_id: account,
        kind: 'credit_purchased',
        trigger: 'manual',
        credit_amount: credit,
        paid_amount: '90.00',
        paid_currency: 'CHF',
        stripe_ref: `cs_test_${paymentId}`,
        at: clock.now().toISOString(),
      },
    ]);
    return eventually(async () => {
      const [row] = await queryDatabase<{ transaction_id: string }>(
        ledger.isolation.databaseUrl,
        `SELECT transaction_id FROM "${ledger.isolation.schema('ledger')}".transactions WHERE account_id = $1 AND kind = 'purchase' AND source_id = $2`,
        [account, paymentId],
      );
      if (!row) throw new Error(`payment ${paymentId} is not posted yet`);
      return row.transaction_id;
    });
  };
  const grant = async (account: string, idempotencyKey: string, amount: string) =>
    (
      await commands.send<{ transaction_id: string }>('ledger.grant-credit', {
        account_id: account,
        amount,
        kind: 'grant',
        reason: 'goodwill',
        idempotency_key: idempotencyKey,
      })
    ).transaction_id;
  /** The ledger.balance-changed announcement a transaction caused. */
  const announcementOf = (transactionId: string) =>
    eventually(() => {
      const found = balances
        .json<BalanceChanged>()
        .find((balance) => balance.cause.transaction_id === transactionId);
      if (!found) throw new Error(`no announcement caused by ${transactionId} yet`);
      return found;
    });
  /** Resolves once another session waits for a lock that `holder` holds, or once `reply` settles without waiting. */
  const waitingOn = async (holder: Client, reply: Promise<unknown>) => {
    let settled = false;
    void reply.then(
      () => (settled = true),
      () => (settled = true),
    );
    const [{ pid }] = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
      .rows as [{ pid: number }];
    while (!settled) {
      const [{ waiting }] = (await queryDatabase<{ waiting: number }>(
        ledger.isolation.databaseUrl,
        'SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
        [pid],
      )) as [{ waiting: number }];
      if (waiting > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const account = async (id: string) => {
    await commands.send('ledger.create-account', { account_id: id, name: id });
    return await createApiKey(commands, id, 'main');
  };

  beforeAll(async () => {
    await ledger.start();
    balances = await ledger.kafka.record(ledger.topic('ledger.balance-changed'));
    commands = await ledger.commands();
  });
  afterAll(() => ledger.stop());

  it('reset on the reset day happens once, and rollover is capped at its max percent', async () => {
    clock.set('2026-11-01T00:00:00Z');
    await account('acct_reset');
    const budget = await commands.send('ledger.set-budget', {
      account_id: 'acct_reset',
      period: 'monthly',
      reset_day: 1,
      limit: '100.00',
      hard_limit: true,
      rollover_max_percent: 25,
    });
    expect(budget).toMatchObject({
      allowance: '100.000000',
      remaining: '100.000000',
      current_period: { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' },
    });
    await use('acct_reset', '60.000000');
    expect(await status('acct_reset')).toMatchObject({
      used: '60.000000',
      remaining: '40.000000',
      available_percent: 40,
      alert_level: 'YELLOW',
      days_remaining: 30,
    });

    clock.set('2026-12-01T00:00:00Z');
    await use('acct_reset', '1.000000');
    await use('acct_reset', '2.000000');
    // 40 unused: 25 (25 % of 100) rolls over, 15 expires; the new period has 125.
    expect(await status('acct_reset')).toMatchObject({
      used: '3.000000',
      remaining: '122.000000',
      period: { start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' },
    });
    expect(await transactionsOf('acct_reset', 'allowance_issue')).toBe(2);
    expect(await transactionsOf('acct_reset', 'allowance_expiry')).toBe(1);
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true });
  });

  it('a new period rule starts a period at the change: monthly to daily mid-January, then daily resets up to February', async () => {
    clock.set('2027-01-01T00:00:00Z');
    await account('acct_rule');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_rule',
      period: 'monthly',
      reset_day: 1,
      limit: '100.00',
      hard_limit: true,
      rollover_max_percent: 10,
    });
    await use('acct_rule', '70.000000');

    // January ends at the change: of 30 unused, 10 rolls over (10 % of 100), 20 expires.
    clock.set('2027-01-20T14:30:00Z');
    expect(
      await commands.send('ledger.set-budget', {
        account_id: 'acct_rule',
        period: 'daily',
        limit: '5.00',
        hard_limit: true,
        rollover_max_percent: 0,
      }),
    ).toMatchObject({
      period: 'daily',
      allowance: '15.000000',
      remaining: '15.000000',
      current_period: { start: '2027-01-20T14:30:00.000Z', end: '2027-01-21T00:00:00.000Z' },
    });

    clock.set('2027-01-21T08:00:00Z');
    await use('acct_rule', '1.000000');
    expect(await status('acct_rule')).toMatchObject({
      used: '1.000000',
      remaining: '4.000000',
      period: { start: '2027-01-21T00:00:00.000Z', end: '2027-01-22T00:00:00.000Z' },
    });
    clock.set('2027-02-01T00:00:00Z');
    await use('acct_rule', '1.000000');
    expect(await status('acct_rule')).toMatchObject({
      used: '1.000000',
      remaining: '4.000000',
      period: { start: '2027-02-01T00:00:00.000Z', end: '2027-02-02T00:00:00.000Z' },
    });
    // Issued: January, the change, then every day from Jan 21 to Feb 1 (12). Expired: 20 at
    // the change, 15 on Jan 21, 4 on Jan 22, then 5 on each of the 10 days after.
    expect(await transactionsOf('acct_rule', 'allowance_issue')).toBe(14);
    expect(await transactionsOf('acct_rule', 'allowance_expiry')).toBe(13);
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true });
  });

  it('a budget without periods can take a monthly rule: the first month runs from the change to the reset day', async () => {
    clock.set('2027-01-01T00:00:00Z');
    await account('acct_rule_none');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_rule_none',
      period: 'none',
      limit: '50.00',
      hard_limit: true,
      rollover_max_percent: 0,
    });
    clock.set('2027-01-10T00:00:00Z');
    expect(
      await commands.send('ledger.set-budget', {
        account_id: 'acct_rule_none',
        period: 'monthly',
        reset_day: 1,
        limit: '100.00',
        hard_limit: true,
      }),
    ).toMatchObject({
      allowance: '100.000000',
      current_period: { start: '2027-01-10T00:00:00.000Z', end: '2027-02-01T00:00:00.000Z' },
    });
    expect(await transactionsOf('acct_rule_none', 'allowance_expiry')).toBe(1);
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true });
  });

  it('a budget without periods takes a changed limit at once, posting the allowance it moves', async () => {
    clock.set('2027-02-01T00:00:00Z');
    await account('acct_none_limit');
    const setLimit = (limit: string) =>
      commands.send('ledger.set-budget', {
        account_id: 'acct_none_limit',
        period: 'none',
        limit,
        hard_limit: true,
      });
    const allowanceBalance = async () =>
      (
        await queryDatabase<{ balance: string }>(
          ledger.isolation.databaseUrl,
          `SELECT balance::text AS balance FROM "${ledger.isolation.schema('ledger')}".ledger_accounts WHERE account_id = 'acct_none_limit' AND code = 'allowance'`,
        )
      )[0]!.balance;
    await setLimit('10.00');
    await use('acct_none_limit', '4.000000');

    clock.set('2027-02-02T00:00:00Z');
    const raised = { used: '4.000000', remaining: '11.000000' };
    expect(await setLimit('15.00')).toMatchObject({ ...raised, allowance: '15.000000' });
    expect(await status('acct_none_limit')).toMatchObject({ ...raised, available: '11.000000' });
    expect(await allowanceBalance()).toBe('11.000000000000');

    // Lowered below what was used: nothing remains, and the allowance left is withdrawn. The
    // allowance stays at the 4 spent of it (ADR 0080).
    clock.set('2027-02-03T00:00:00Z');
    const lowered = { used: '4.000000', remaining: '0.000000' };
    expect(await setLimit('3.00')).toMatchObject({ ...lowered, allowance: '4.000000' });
    expect(await status('acct_none_limit')).toMatchObject({ ...lowered, available: '0.000000' });
    expect(await allowanceBalance()).toBe('0.000000000000');
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true });

    // Raised back to 10: the 4 spent still counts, so 6 remains and 6 is issued again, not 7.
    clock.set('2027-02-04T00:00:00Z');
    const restored = { used: '4.000000', remaining: '6.000000' };
    expect(await setLimit('10.00')).toMatchObject({ ...restored, allowance: '10.000000' });
    expect(await status('acct_none_limit')).toMatchObject({ ...restored, available: '6.000000' });
    expect(await allowanceBalance()).toBe('6.000000000000');
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true });
  });

  it('prorates a budget created mid-period by the days left', async () => {
    clock.set('2026-11-21T00:00:00Z');
    await account('acct_prorate');
    expect(
      await commands.send('ledger.set-budget', {
        account_id: 'acct_prorate',
        period: 'monthly',
        reset_day: 1,
        limit: '90.00',
        hard_limit: true,
        prorate: true,
      }),
    ).toMatchObject({ allowance: '30.000000', remaining: '30.000000' });
  });

  it('projects the period cost of a budget created mid-period from the days it has counted', async () => {
    clock.set('2027-03-30T00:00:00Z');
    await account('acct_projection');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_projection',
      period: 'monthly',
      reset_day: 1,
      limit: '100.00',
      hard_limit: true,
    });
    clock.set('2027-03-31T00:00:00Z');
    await use('acct_projection', '10.000000');
    // 10 in the one day since the budget was set: 20 by April 1, not 10 × 31 / 30.
    expect(await status('acct_projection')).toMatchObject({
      used: '10.000000',
      days_remaining: 1,
      projected_period_cost: '20.000000',
    });
  });

  it('soft limit warns, hard limit blocks, overage stretches the hard limit', async () => {
    clock.set('2026-11-10T00:00:00Z');
    const { secret } = await account('acct_limits');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_limits',
      period: 'monthly',
      reset_day: 1,
      limit: '10.00',
      hard_limit: true,
      overage_limit: '2.00',
    });
    await use('acct_limits', '8.000000');
    expect(await status('acct_limits')).toMatchObject({
      used: '8.000000',
      remaining: '2.000000',
      over_soft_limit: true,
      over_hard_limit: false,
      alert_level: 'ORANGE',
    });
    expect(await authorize(secret, '4.00')).toMatchObject({ status: 201 });
    expect(await authorize(secret, '0.01')).toMatchObject({
      status: 402,
      body: { error_code: 'BUDGET_EXHAUSTED' },
    });
    await use('acct_limits', '3.500000');
    expect(await status('acct_limits')).toMatchObject({
      used: '11.500000',
      remaining: '0.000000',
      overage: '1.500000',
      over_hard_limit: true,
      alert_level: 'CRITICAL',
    });
  });

  it("counts overage per period: a new period's hard limit stretches by the overage limit again", async () => {
    clock.set('2026-11-10T00:00:00Z');
    const { secret } = await account('acct_overage_periods');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_overage_periods',
      period: 'monthly',
      reset_day: 1,
      limit: '10.00',
      hard_limit: true,
      overage_limit: '2.00',
    });
    await use('acct_overage_periods', '12.000000');
    expect(await status('acct_overage_periods')).toMatchObject({
      used: '12.000000',
      overage: '2.000000',
    });

    clock.set('2026-12-02T00:00:00Z');
    expect(await status('acct_overage_periods')).toMatchObject({
      used: '0.000000',
      remaining: '10.000000',
      overage: '0.000000',
    });
    await use('acct_overage_periods', '8.000000');
    // 2 of December's allowance left, and December's 2 of overage.
    expect(await authorize(secret, '3.50')).toMatchObject({ status: 201 });
    await use('acct_overage_periods', '3.500000');
    expect(await status('acct_overage_periods')).toMatchObject({
      used: '11.500000',
      remaining: '0.000000',
      overage: '1.500000',
    });
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true });
  });

  it('refuses spending once expires_at + grace has passed, and issues no allowance after that', async () => {
    clock.set('2026-11-10T00:00:00Z');
    const { secret } = await account('acct_expiry');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_expiry',
      period: 'monthly',
      reset_day: 1,
      limit: '10.00',
      hard_limit: true,
      expires_at: '2026-11-10T01:00:00Z',
      grace_period_hours: 24,
    });
    clock.set('2026-11-10T02:00:00Z');
    expect(await authorize(secret, '1.00')).toMatchObject({ status: 201 });
    clock.set('2026-11-11T01:00:00Z');
    expect(await authorize(secret, '1.00')).toMatchObject({
      status: 402,
      body: { error_code: 'BUDGET_EXPIRED' },
    });

    // Usage is a fact and still posts, but the deactivated budget issues no December
    // allowance: November's 10 expires and the usage is overage.
    clock.set('2026-12-01T00:00:00Z');
    await use('acct_expiry', '1.000000');
    expect(await status('acct_expiry')).toMatchObject({
      used: '1.000000',
      remaining: '0.000000',
      overage: '1.000000',
    });
    expect(await transactionsOf('acct_expiry', 'allowance_issue')).toBe(1);
    expect(await transactionsOf('acct_expiry', 'allowance_expiry')).toBe(1);
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true });
  });

  it('purchased credit survives a period reset; available_percent reaches 130 with credit', async () => {
    clock.set('2026-11-15T00:00:00Z');
    await account('acct_credit');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_credit',
      period: 'monthly',
      reset_day: 1,
      limit: '100.00',
      hard_limit: true,
    });
    await purchase('acct_credit', 'pay_credit_1', '30.00');
    expect(await status('acct_credit')).toMatchObject({
      extra_credit_remaining: '30.000000',
      available_percent: 130,
    });
    clock.set('2026-12-02T00:00:00Z');
    await use('acct_credit', '10.000000');
    expect(await status('acct_credit')).toMatchObject({
      used: '10.000000',
      remaining: '90.000000',
      extra_credit_remaining: '30.000000',
      available_percent: 120,
      alert_level: 'GREEN',
    });
  });

  it('a key budget blocks while its account still has room', async () => {
    clock.set('2026-11-10T00:00:00Z');
    const first = await account('acct_keys');
    const second = await createApiKey(commands, 'acct_keys', 'other');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_keys',
      period: 'monthly',
      reset_day: 1,
      limit: '100.00',
      hard_limit: true,
    });
    await commands.send('ledger.set-budget', {
      account_id: 'acct_keys',
      api_key_id: first.api_key_id,
      period: 'monthly',
      reset_day: 1,
      limit: '5.00',
      hard_limit: true,
    });
    await use('acct_keys', '4.900000', first.api_key_id);
    expect(await authorize(first.secret, '0.50')).toMatchObject({
      status: 402,
      body: { error_code: 'API_KEY_BUDGET_EXHAUSTED' },
    });
    expect(await authorize(second.secret, '0.50')).toMatchObject({
      status: 201,
      body: { authorized: true },
    });
    expect(await status('acct_keys')).toMatchObject({ used: '4.900000', remaining: '95.100000' });
  });

  it("answers a budgeted key's authorization with the key's figures, as its budget status does", async () => {
    clock.set('2026-11-10T00:00:00Z');
    const key = await account('acct_key_answers');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_key_answers',
      period: 'monthly',
      reset_day: 1,
      limit: '100.00',
      hard_limit: true,
    });
    await commands.send('ledger.set-budget', {
      account_id: 'acct_key_answers',
      api_key_id: key.api_key_id,
      period: 'monthly',
      reset_day: 1,
      limit: '5.00',
      hard_limit: true,
    });
    await use('acct_key_answers', '4.900000', key.api_key_id);
    // The key has 0.10 of its 5 left (98 % spent), the account 95.10 of its 100.
    expect(await authorize(key.secret, '0.50')).toEqual({
      status: 402,
      body: {
        authorized: false,
        reservation_id: null,
        error_code: 'API_KEY_BUDGET_EXHAUSTED',
        message: 'the API key budget has 0.10 USD available',
        available: '0.100000',
        alert_level: 'RED',
        recommended_strategy: 'CHEAPEST_FIRST',
      },
    });
    const granted = await authorize(key.secret, '0.04');
    expect(granted).toMatchObject({
      status: 201,
      body: {
        authorized: true,
        amount: '0.040000',
        available: '0.060000',
        available_percent: 2,
        alert_level: 'RED',
        recommended_strategy: 'CHEAPEST_FIRST',
      },
    });
    const { available, available_percent, alert_level, recommended_strategy } = await status(
      'acct_key_answers',
      key.api_key_id,
    );
    expect({ available, available_percent, alert_level, recommended_strategy }).toEqual({
      available: granted.body['available'],
      available_percent: granted.body['available_percent'],
      alert_level: granted.body['alert_level'],
      recommended_strategy: granted.body['recommended_strategy'],
    });
  });

  it.each([
    ['a purchase', 'acct_buys', purchase],
    ['a grant', 'acct_grants', grant],
  ])(
    'announces credit added by %s against the account budget, after the reset that was due',
    async (_way, id, addCredit) => {
      clock.set('2026-11-10T00:00:00Z');
      await account(id);
      await commands.send('ledger.set-budget', {
        account_id: id,
        period: 'monthly',
        reset_day: 1,
        limit: '100.00',
        hard_limit: true,
      });
      await use(id, '100.000000');
      // The allowance is spent: 10 of credit is 10 % of the allowance, the last tenth (RED).
      expect(await announcementOf(await addCredit(id, `${id}_1`, '10.00'))).toMatchObject({
        period: { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z' },
        allowance: '100.000000',
        used: '100.000000',
        remaining: '0.000000',
        extra_credit_remaining: '10.000000',
        available: '10.000000',
        available_percent: 10,
        alert_level: 'RED',
        over_soft_limit: true,
        over_hard_limit: false,
      });

      clock.set('2026-12-02T00:00:00Z');
      // December's allowance is issued before the credit is posted, and announced with it.
      expect(await announcementOf(await addCredit(id, `${id}_2`, '10.00'))).toMatchObject({
        period: { start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' },
        allowance: '100.000000',
        used: '0.000000',
        remaining: '100.000000',
        extra_credit_remaining: '20.000000',
        available: '120.000000',
        available_percent: 120,
        alert_level: 'GREEN',
        over_soft_limit: false,
      });
      expect(await transactionsOf(id, 'allowance_issue')).toBe(2);
      expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true });
    },
  );

  it('answers a status from its snapshot while a posting holds the budget row', async () => {
    clock.set('2026-11-10T00:00:00Z');
    await account('acct_busy');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_busy',
      period: 'monthly',
      reset_day: 1,
      limit: '100.00',
      hard_limit: true,
    });
    await use('acct_busy', '10.000000');
    const posting = new Client({ connectionString: ledger.isolation.databaseUrl });
    await posting.connect();
    try {
      await posting.query('BEGIN');
      await posting.query(
        `UPDATE "${ledger.isolation.schema('ledger')}".budgets SET used = used + 5 WHERE account_id = 'acct_busy'`,
      );
      const reply = status('acct_busy');
      await Promise.race([reply, waitingOn(posting, reply)]);
      await posting.query('COMMIT');
      expect(await reply).toMatchObject({
        used: '10.000000',
        remaining: '90.000000',
        available_percent: 90,
        alert_level: 'GREEN',
      });
    } finally {
      await posting.end();
    }
  });

  it("answers a key's status from its budget, what it has available capped by the account's", async () => {
    clock.set('2026-11-10T06:00:00Z');
    const budgeted = await account('acct_key_status');
    const unbudgeted = await createApiKey(commands, 'acct_key_status', 'batch');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_key_status',
      period: 'monthly',
      reset_day: 1,
      limit: '100.00',
      hard_limit: true,
    });
    await commands.send('ledger.set-budget', {
      account_id: 'acct_key_status',
      api_key_id: budgeted.api_key_id,
      period: 'daily',
      limit: '20.00',
      hard_limit: true,
    });
    await use('acct_key_status', '12.000000', budgeted.api_key_id);
    expect(await authorize(budgeted.secret, '1.00')).toMatchObject({ status: 201 });
    await use('acct_key_status', '85.000000', unbudgeted.api_key_id);

    // The key has 8 of its 20 left, 7 once its hold is counted; the account has only 3, 2 with the hold.
    expect(await status('acct_key_status', budgeted.api_key_id)).toEqual({
      account_id: 'acct_key_status',
      api_key_id: budgeted.api_key_id,
      used: '12.000000',
      remaining: '8.000000',
      extra_credit_remaining: '0.000000',
      available: '2.000000',
      available_percent: 40,
      alert_level: 'YELLOW',
      recommended_strategy: 'QUALITY_FIRST',
      days_remaining: 1,
      // The key's budget was set at 06:00, the 12 spent since: under an hour, no extrapolation.
      projected_period_cost: '12.000000',
      over_soft_limit: false,
      over_hard_limit: false,
      overage: '0.000000',
      period: { start: '2026-11-10T00:00:00.000Z', end: '2026-11-11T00:00:00.000Z' },
    });
    // A key without a budget spends the account's: it gets the account's figures.
    const accountStatus = await status('acct_key_status');
    expect(accountStatus).toMatchObject({
      used: '97.000000',
      remaining: '3.000000',
      available: '2.000000',
      available_percent: 3,
      alert_level: 'RED',
    });
    expect(await status('acct_key_status', unbudgeted.api_key_id)).toEqual({
      ...accountStatus,
      api_key_id: unbudgeted.api_key_id,
    });
  });

  it("announces a key budget's figures under its api_key_id, beside the account's", async () => {
    clock.set('2026-11-10T06:00:00Z');
    const key = await account('acct_key_announced');
    await grant('acct_key_announced', 'acct_key_announced_1', '50.00');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_key_announced',
      api_key_id: key.api_key_id,
      period: 'daily',
      limit: '20.00',
      hard_limit: true,
    });
    await use('acct_key_announced', '17.000000', key.api_key_id);
    const announced = (apiKeyId: string | null) =>
      balances
        .json<BalanceChanged>()
        .filter((b) => b.account_id === 'acct_key_announced' && b.api_key_id === apiKeyId)
        .pop();
    const ofAccount = await eventually(() => {
      const found = announced(null);
      expect(found?.used).toBe('17.000000');
      return found!;
    });
    // Published in the same transaction as the account's: it is there when that one is.
    const ofKey = await eventually(() => {
      const found = announced(key.api_key_id);
      if (!found) throw new Error('no announcement of the key budget');
      return found;
    }, 5_000);
    // 3 of the key's 20 left (15 %, ORANGE); the account's 33 of credit do not cap it.
    expect(ofKey).toMatchObject({
      sequence: ofAccount.sequence,
      period: { start: '2026-11-10T00:00:00.000Z', end: '2026-11-11T00:00:00.000Z' },
      allowance: '20.000000',
      used: '17.000000',
      remaining: '3.000000',
      extra_credit_remaining: '0.000000',
      available: '3.000000',
      available_percent: 15,
      alert_level: 'ORANGE',
      over_soft_limit: true,
      over_hard_limit: false,
      overage: '0.000000',
      cause: ofAccount.cause,
    });
  });

  it('announces the projected period cost its budget status answers, counted from when a mid-period budget began', async () => {
    clock.set('2026-11-10T06:00:00Z');
    await account('acct_projected');
    await commands.send('ledger.set-budget', {
      account_id: 'acct_projected',
      period: 'monthly',
      reset_day: 1,
      limit: '100.00',
      hard_limit: false,
    });
    const announcedWith = (used: string) =>
      eventually(() => {
        const found = balances
          .json<BalanceChanged & { projected_period_cost?: string }>()
          .filter((b) => b.account_id === 'acct_projected' && b.api_key_id === null)
          .pop();
        expect(found?.used).toBe(used);
        return found!;
      });
    await use('acct_projected', '10.000000');
    // Set within the hour: no rate yet, the spend is the projection (alerting judges it).
    expect((await announcedWith('10.000000')).projected_period_cost).toBe('10.000000');
    expect(await status('acct_projected')).toMatchObject({ projected_period_cost: '10.000000' });

    clock.set('2026-11-11T06:00:00Z');
    await use('acct_projected', '10.000000');
    // 20 in the budget's first day of the 20.75 it has in the period.
    expect((await announcedWith('20.000000')).projected_period_cost).toBe('415.000000');
    expect(await status('acct_projected')).toMatchObject({ projected_period_cost: '415.000000' });
  });

  it('refuses the status of a key the account does not have', async () => {
    await account('acct_key_unknown');
    const elsewhere = await account('acct_key_elsewhere');
    for (const apiKeyId of ['key_nobody', elsewhere.api_key_id]) {
      expect(await status('acct_key_unknown', apiKeyId)).toEqual({
        error_code: 'VALIDATION_FAILED',
        message: `api_key_id: no key ${apiKeyId} in this account`,
      });
    }
  });

  it('refuses a percent with more decimals than the budget keeps, instead of carrying over less than it answered', async () => {
    clock.set('2027-05-01T00:00:00Z');
    await account('acct_percent_places');
    const set = (rollover: string) =>
      commands.send('ledger.set-budget', {
        account_id: 'acct_percent_places',
        period: 'monthly',
        reset_day: 1,
        limit: '1000.00',
        hard_limit: true,
        rollover_max_percent: rollover,
      });
    // Answered as 33.33333 %, it carried over 333.333 (33.3333 %) of 1000 unused into June.
    expect(await set('33.33333')).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    expect(await set('33.3333')).toMatchObject({ rollover_max_percent: 33.3333 });
    clock.set('2027-06-01T00:00:00Z');
    expect(await status('acct_percent_places')).toMatchObject({ remaining: '1333.333000' });
  });

  it("takes DESIGN 4's max_rollover_percent as the command table's rollover_max_percent", async () => {
    clock.set('2027-05-01T00:00:00Z');
    await account('acct_rollover_name');
    const set = (rollover: Record<string, unknown>) =>
      commands.send('ledger.set-budget', {
        account_id: 'acct_rollover_name',
        period: 'monthly',
        reset_day: 1,
        limit: '100.00',
        hard_limit: true,
        ...rollover,
      });
    expect(await set({ max_rollover_percent: 25 })).toMatchObject({ rollover_max_percent: 25 });
    clock.set('2027-06-01T00:00:00Z');
    // 100 unused in May: 25 % of the limit carries over into June.
    expect(await status('acct_rollover_name')).toMatchObject({ remaining: '125.000000' });
    expect(await set({ rollover_max_percent: 10, max_rollover_percent: 20 })).toMatchObject({
      error_code: 'VALIDATION_FAILED',
    });
  });

  it('refuses a budget with invalid numbers', async () => {
    expect(
      await commands.send('ledger.set-budget', {
        account_id: 'acct_reset',
        period: 'monthly',
        reset_day: 31,
        limit: '1',
        hard_limit: true,
      }),
    ).toMatchObject({ error_code: 'VALIDATION_FAILED' });
    expect(
      await commands.send('ledger.set-budget', {
        account_id: 'acct_reset',
        period: 'monthly',
        limit: 5,
        hard_limit: true,
      }),
    ).toMatchObject({ error_code: 'VALIDATION_FAILED' });
  });
});
