import type { BalanceChanged } from '@tally/budget-domain';
import { eventually, queryDatabase, usageRated } from '@tally/testing';
import type { CommandClient, TopicRecorder } from '@tally/testing';
import { AccountsService } from '../src/accounts/accounts.service';
import { LedgerHarness, TestClock } from './ledger.harness';

type Status = Record<string, unknown>;

/**
 * Usage is posted in the period it reaches the ledger in (ADR 0044), so an event of November 30
 * that arrives after midnight counts in December. The projection extrapolates the period's own
 * spending rate: what occurred before the period began is counted once, not multiplied by the
 * days of December (ADR 0112).
 */
describe('usage that occurred before its period is projected once, not as a rate', () => {
  const clock = new TestClock(new Date('2026-11-01T00:00:00Z'));
  const ledger = new LedgerHarness(undefined, clock);
  let commands: CommandClient;
  let balances: TopicRecorder;
  const account = 'acct_late_november';

  const status = (of = account) =>
    commands.send<Status>('ledger.budget-status', { account_id: of, api_key_id: null });
  const posted = async (of: string) =>
    (
      await queryDatabase<{ count: number }>(
        ledger.isolation.databaseUrl,
        `SELECT count(*)::int AS count FROM "${ledger.isolation.schema('ledger')}".usage_lines WHERE account_id = $1`,
        [of],
      )
    )[0]!.count;
  /** Posts a usage that occurred at `occurredAt` and answers its announcement. */
  const use = async (cost: string, occurredAt: string, of = account) => {
    const before = await posted(of);
    await ledger.kafka.produceJson(ledger.topic('usage.rated'), of, [
      usageRated(of, cost, { occurred_at: occurredAt }),
    ]);
    await eventually(async () => expect(await posted(of)).toBe(before + 1));
    return eventually(() => {
      const announced = balances
        .json<BalanceChanged & { projected_period_cost: string }>()
        .filter((b) => b.account_id === of && b.api_key_id === null && b.cause.kind === 'usage')
        .pop();
      expect(announced?.at).toBe(clock.now().toISOString());
      return announced!;
    });
  };

  beforeAll(async () => {
    await ledger.start();
    commands = await ledger.commands();
    balances = await ledger.kafka.record(ledger.topic('ledger.balance-changed'));
    await ledger.get(AccountsService).createAccount({ accountId: account, name: account });
    await commands.send('ledger.set-budget', {
      account_id: account,
      period: 'monthly',
      reset_day: 1,
      limit: '100.00',
      hard_limit: false,
    });
  });
  afterAll(() => ledger.stop());

  it("a late November usage posted in December projects itself, and December's own spending its rate", async () => {
    // The last ten minutes of November reach the ledger half an hour into December.
    clock.set('2026-12-01T00:30:00Z');
    const late = await use('9.500000', '2026-11-30T23:50:00Z');
    expect(late).toMatchObject({
      period: { start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' },
      used: '9.500000',
      projected_period_cost: '9.500000',
    });

    // Two hours into December nothing of December has been spent: 9.50, not 9.50 × 744 / 2.
    clock.set('2026-12-01T02:00:00Z');
    expect(await status()).toMatchObject({ used: '9.500000', projected_period_cost: '9.500000' });

    // 0.20 spent in December's first two hours: 9.50 + 0.20 × 744 / 2 = 83.90.
    const own = await use('0.200000', '2026-12-01T01:00:00Z');
    expect(own).toMatchObject({ used: '9.700000', projected_period_cost: '83.900000' });
    expect(await status()).toMatchObject({ used: '9.700000', projected_period_cost: '83.900000' });
  });

  it('usage that occurred before a budget set mid-period began counting is projected once too', async () => {
    // A busy account gets a budget at noon; the morning's usage, held up in a lagging consumer,
    // reaches the ledger half an hour later and counts in the budget's used (ADR 0044).
    const busy = 'acct_budget_at_noon';
    clock.set('2026-12-15T12:00:00Z');
    await ledger.get(AccountsService).createAccount({ accountId: busy, name: busy });
    await commands.send('ledger.set-budget', {
      account_id: busy,
      period: 'monthly',
      reset_day: 1,
      limit: '100.00',
      hard_limit: false,
    });
    clock.set('2026-12-15T12:30:00Z');
    await use('9.500000', '2026-12-15T11:50:00Z', busy);

    // Two hours after noon nothing has been spent since: 9.50, not 9.50 × 396 h / 2 h.
    clock.set('2026-12-15T14:00:00Z');
    expect(await status(busy)).toMatchObject({
      used: '9.500000',
      projected_period_cost: '9.500000',
    });

    // 0.20 spent since noon, measured over the two hours the budget has counted:
    // 9.50 + 0.20 × 396 / 2 = 49.10.
    const own = await use('0.200000', '2026-12-15T13:00:00Z', busy);
    expect(own).toMatchObject({ used: '9.700000', projected_period_cost: '49.100000' });
  });
});
