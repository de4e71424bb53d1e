import { eventually, queryDatabase, usageRated } from '@tally/testing';
import type { LedgerTransaction } from '@tally/budget-domain';
import type { CommandClient, TopicRecorder } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { CouponsService } from '../src/coupons/coupons.service';
import { LedgerHarness, TestClock } from './ledger.harness';

type Reply = Record<string, unknown>;

/** Issue 19: coupons give a credit or a percent off, once per account, never past their uses. */
describe('coupons on the ledger', () => {
  const clock = new TestClock(new Date('2026-11-10T00:00:00Z'));
  const ledger = new LedgerHarness(undefined, clock);
  let commands: CommandClient;
  let transactions: TopicRecorder;
  const schema = () => ledger.isolation.schema('ledger');
  const query = <T>(sql: string, params: unknown[] = []) =>
    queryDatabase<T>(ledger.isolation.databaseUrl, sql, params);
  const credit = async (account: string) =>
    (
      await query<{ balance: string }>(
        `SELECT balance::text FROM "${schema()}".ledger_accounts WHERE account_id = $1 AND code = 'credit'`,
        [account],
      )
    )[0]!.balance;
  const redeem = (account: string, code: string) =>
    commands.send<Reply>('ledger.redeem-coupon', { account_id: account, code });
  /** A refusal of the service, as its code; a redemption, as 'redeemed'. */
  const outcome = (attempt: Promise<unknown>) =>
    attempt.then(
      () => 'redeemed',
      (error: { code?: string }) => error.code ?? String(error),
    );

  beforeAll(async () => {
    await ledger.start();
    transactions = await ledger.kafka.record(ledger.topic('ledger.transactions'));
    commands = await ledger.commands();
  });
  afterAll(() => ledger.stop());

  it('creates a coupon once: the same request answers it again, other terms under its code are refused', async () => {
    const welcome = {
      code: 'welcome-10',
      kind: 'credit',
      amount: '10.00',
      expires_at: '2026-12-01T00:00:00Z',
      max_redemptions: 10,
    };
    expect(await commands.send('ledger.create-coupon', welcome)).toEqual({
      code: 'WELCOME-10',
      kind: 'credit',
      amount: '10.000000',
      percent: null,
      duration_days: null,
      expires_at: '2026-12-01T00:00:00.000Z',
      max_redemptions: 10,
      redemptions: 0,
      created_at: '2026-11-10T00:00:00.000Z',
      created: true,
    });
    expect(await commands.send('ledger.create-coupon', welcome)).toMatchObject({
      code: 'WELCOME-10',
      created: false,
    });
    expect(
      await commands.send('ledger.create-coupon', { ...welcome, amount: '20.00' }),
    ).toMatchObject({ error_code: 'COUPON_CONFLICT' });
    for (const bad of [
      { ...welcome, code: 'x' },
      { ...welcome, amount: 10 },
      { ...welcome, amount: '0' },
      { ...welcome, max_redemptions: 0 },
      { ...welcome, code: 'MANY-USES', max_redemptions: 3_000_000_000 },
      { code: 'HALF', kind: 'percent', percent: '50' },
      { code: 'HALF', kind: 'percent', percent: '150', duration_days: 10 },
      { code: 'NOTHING', kind: 'credit' },
      { ...welcome, surprise: true },
    ]) {
      expect(await commands.send('ledger.create-coupon', bad)).toMatchObject({
        error_code: 'VALIDATION_FAILED',
      });
    }
  });

  it('50 concurrent redemptions of a coupon with 10 uses give exactly 10, each posting its credit once', async () => {
    const accounts = ledger.get(AccountsService);
    const ids = Array.from({ length: 50 }, (_, i) => `acct_rush_${i}`);
    for (const id of ids) await accounts.createAccount({ accountId: id, name: id });
    const coupons = ledger.get(CouponsService);
    const outcomes = await Promise.all(ids.map((id) => outcome(coupons.redeem(id, 'Welcome-10'))));
    expect(outcomes.filter((o) => o === 'redeemed')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'COUPON_EXHAUSTED')).toHaveLength(40);
    const winners = ids.filter((_, i) => outcomes[i] === 'redeemed');
    for (const id of ids)
      expect(await credit(id)).toBe(winners.includes(id) ? '10.000000000000' : '0.000000000000');
    expect(
      await query(`SELECT redemptions FROM "${schema()}".coupons WHERE code = 'WELCOME-10'`),
    ).toEqual([{ redemptions: 10 }]);
    expect(
      await query(
        `SELECT count(*)::int AS n FROM "${schema()}".coupon_redemptions WHERE code = 'WELCOME-10'`,
      ),
    ).toEqual([{ n: 10 }]);
    // The credit comes from the system promotions account, and is announced.
    const posted = await eventually(() => {
      const found = transactions.json<LedgerTransaction>().filter((t) => t.kind === 'coupon');
      expect(found).toHaveLength(10);
      return found;
    });
    expect(posted[0]!.postings).toEqual([
      { ledger_account: 'credit', amount: '10.000000' },
      { ledger_account: 'promotions', amount: '-10.000000' },
    ]);
  });

  it('each refused redemption names its reason: unknown code, already redeemed by this account, expired, exhausted', async () => {
    await commands.send('ledger.create-account', { account_id: 'acct_coupons', name: 'x' });
    expect(await redeem('acct_coupons', 'NO-SUCH-CODE')).toMatchObject({
      error_code: 'COUPON_NOT_FOUND',
    });
    expect(await redeem('acct_coupons', 'not a code \u0000')).toMatchObject({
      error_code: 'VALIDATION_FAILED',
    });
    expect(await redeem('acct_coupons', 'welcome-10')).toMatchObject({
      error_code: 'COUPON_EXHAUSTED',
    });
    await commands.send('ledger.create-coupon', {
      code: 'ONCE',
      kind: 'credit',
      amount: '2.50',
    });
    expect(await redeem('acct_coupons', 'once')).toEqual({
      account_id: 'acct_coupons',
      code: 'ONCE',
      kind: 'credit',
      amount: '2.500000',
      percent: null,
      discount_ends_at: null,
      transaction_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      redeemed_at: '2026-11-10T00:00:00.000Z',
    });
    expect(await redeem('acct_coupons', 'ONCE')).toMatchObject({
      error_code: 'COUPON_ALREADY_REDEEMED',
    });
    expect(await credit('acct_coupons')).toBe('2.500000000000');
    await commands.send('ledger.create-coupon', {
      code: 'NOVEMBER',
      kind: 'credit',
      amount: '1',
      expires_at: '2026-11-30T00:00:00Z',
    });
    clock.set('2026-11-30T00:00:00Z');
    expect(await redeem('acct_coupons', 'NOVEMBER')).toMatchObject({
      error_code: 'COUPON_EXPIRED',
    });
    expect(await redeem('acct_nobody', 'ONCE')).toMatchObject({ error_code: 'ACCOUNT_NOT_FOUND' });
  });

  it('five concurrent redemptions by one account: one credit, the others COUPON_ALREADY_REDEEMED', async () => {
    await commands.send('ledger.create-coupon', { code: 'TWICE', kind: 'credit', amount: '3' });
    await commands.send('ledger.create-account', { account_id: 'acct_twice', name: 'x' });
    const coupons = ledger.get(CouponsService);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => outcome(coupons.redeem('acct_twice', 'TWICE'))),
    );
    expect(outcomes.sort()).toEqual([
      'COUPON_ALREADY_REDEEMED',
      'COUPON_ALREADY_REDEEMED',
      'COUPON_ALREADY_REDEEMED',
      'COUPON_ALREADY_REDEEMED',
      'redeemed',
    ]);
    expect(await credit('acct_twice')).toBe('3.000000000000');
    expect(
      await query(`SELECT redemptions FROM "${schema()}".coupons WHERE code = 'TWICE'`),
    ).toEqual([{ redemptions: 1 }]);
  });

  it('a percent coupon takes its percent off what the plan charges for its days, then ends', async () => {
    clock.set('2026-12-01T00:00:00Z');
    await commands.send('ledger.set-plan', { name: 'reseller', markup_percent_paid: '10' });
    await commands.send('ledger.create-account', { account_id: 'acct_spring', name: 'x' });
    await commands.send('ledger.assign-plan', { account_id: 'acct_spring', plan: 'reseller' });
    await commands.send('ledger.create-coupon', {
      code: 'SPRING15',
      kind: 'percent',
      percent: '15',
      duration_days: 30,
    });
    expect(await redeem('acct_spring', 'spring15')).toMatchObject({
      kind: 'percent',
      percent: '15',
      amount: null,
      transaction_id: null,
      discount_ends_at: '2026-12-31T00:00:00.000Z',
    });
    const lines = async (count: number) =>
      eventually(() => {
        const found = transactions
          .json<LedgerTransaction>()
          .filter((t) => t.account_id === 'acct_spring' && t.kind === 'usage')
          .flatMap((t) => t.lines ?? []);
        expect(found).toHaveLength(count);
        return found;
      });
    // 1.00 + 10 % = 1.10, − 15 % = 0.935
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), 'acct_spring', [
      usageRated('acct_spring', '1.000000'),
    ]);
    expect((await lines(1))[0]).toMatchObject({
      cost: '1.000000',
      markup: '0.100000',
      discount: '0.165000',
      charged: '0.935000',
    });
    clock.set('2026-12-31T00:00:00Z');
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), 'acct_spring', [
      usageRated('acct_spring', '1.000000'),
    ]);
    expect((await lines(2))[1]).toMatchObject({ discount: '0.000000', charged: '1.100000' });
  });

  it('the books reconcile after all of it', async () => {
    expect(await commands.send('ledger.reconcile', {})).toMatchObject({ ok: true, mismatches: [] });
  });
});
