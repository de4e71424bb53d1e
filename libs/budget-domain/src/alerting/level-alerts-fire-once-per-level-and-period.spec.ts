import { balanceConditions, spendPercentOf, standingOf, subjectOf } from './alert-conditions';
import { AlertBook, spent } from './alerting.fixtures';

const summary = (alerts: ReturnType<AlertBook['see']>) =>
  alerts
    .filter((alert) => alert.kind === 'threshold')
    .map((alert) => `${alert.state} ${alert.kind} ${alert.level} ${alert.percent}`);

describe('level alerts fire once per level and period', () => {
  it('crossing 50, 75, 90 and 100 % of spend fires YELLOW, ORANGE, RED and CRITICAL once each', () => {
    const book = new AlertBook();
    const fired = [10, 49, 50, 60, 75, 89, 90, 99, 100, 100].flatMap((used) =>
      summary(book.see(balanceConditions(spent(used)))),
    );
    expect(fired).toEqual([
      'fired threshold YELLOW 50',
      'fired threshold ORANGE 75',
      'fired threshold RED 90',
      'fired threshold CRITICAL 100',
    ]);
  });

  it('a condition seen again (a replayed or later record at the same level) fires nothing', () => {
    const book = new AlertBook();
    expect(summary(book.see(balanceConditions(spent(80))))).toEqual(['fired threshold ORANGE 80']);
    expect(book.see(balanceConditions(spent(80)))).toEqual([]);
    expect(book.see(balanceConditions(spent(85)))).toEqual([]);
  });

  it('a jump over several levels announces the highest one only; the ones below stay quiet, also when it resolves', () => {
    const book = new AlertBook();
    expect(summary(book.see(balanceConditions(spent(95))))).toEqual(['fired threshold RED 95']);
    expect(book.activeKeys).toEqual([
      'threshold:YELLOW@2026-11-01T00:00:00.000Z',
      'threshold:ORANGE@2026-11-01T00:00:00.000Z',
      'threshold:RED@2026-11-01T00:00:00.000Z',
    ]);
    // Credit brings spend back to 60 %: RED resolves, ORANGE goes without a word, YELLOW holds.
    const resolved = book.see(balanceConditions(spent(95, { available_percent: 40 })));
    expect(summary(resolved)).toEqual(['resolved threshold RED 95']);
    expect(resolved[0]).toMatchObject({ resolves: book.published[0]!.id });
    expect(book.activeKeys).toEqual(['threshold:YELLOW@2026-11-01T00:00:00.000Z']);
    // Spending on to 75 % again fires ORANGE: the resolution re-armed it.
    expect(summary(book.see(balanceConditions(spent(95, { available_percent: 25 }))))).toEqual([
      'fired threshold ORANGE 75',
    ]);
  });

  it('a new period resolves the alerts of the old one and fires its own levels again', () => {
    const book = new AlertBook();
    book.see(balanceConditions(spent(50)));
    book.see(balanceConditions(spent(75)));
    const december = {
      period: { start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' },
      at: '2026-12-31T23:00:00.000Z',
    };
    expect(summary(book.see(balanceConditions(spent(10, december))))).toEqual([
      'resolved threshold YELLOW 50',
      'resolved threshold ORANGE 75',
    ]);
    expect(summary(book.see(balanceConditions(spent(55, december))))).toEqual([
      'fired threshold YELLOW 55',
    ]);
    expect(book.published.at(-1)).toMatchObject({ period_start: '2026-12-01T00:00:00.000Z' });
  });

  it('buying credit resolves each announced level with the fired alert’s figures and its own id', () => {
    const book = new AlertBook();
    book.see(balanceConditions(spent(50)));
    book.see(balanceConditions(spent(92)));
    const [yellow, red] = book.published;
    const resolved = book.see(
      balanceConditions(spent(92, { extra_credit_remaining: '37.000000', available_percent: 45 })),
    );
    expect(resolved).toEqual([
      {
        ...red,
        id: expect.not.stringMatching(red!.id),
        state: 'resolved',
        resolves: red!.id,
        message: `Resolved: ${red!.message}`,
      },
    ]);
    expect(book.activeKeys).toEqual(['threshold:YELLOW@2026-11-01T00:00:00.000Z']);
    expect(yellow).toMatchObject({ level: 'YELLOW', state: 'fired' });
  });

  it('spend percent is 100 − available_percent, so prepaid credit above the allowance means no level at all', () => {
    expect(spendPercentOf({ available_percent: 130 })).toBe(-30);
    expect(standingOf({ available_percent: 130, alert_level: 'GREEN' })).toEqual({
      level: 'GREEN',
      percent: -30,
    });
    expect(balanceConditions(spent(10, { available_percent: 130 }))).toEqual([]);
  });

  it('an open period (no budget) and an API key are named in the alert', () => {
    const conditions = balanceConditions(
      spent(100, {
        period: { start: null, end: null },
        api_key_id: 'key_7',
        allowance: '0.000000',
      }),
    );
    expect(conditions.map((condition) => condition.key)).toEqual([
      'threshold:YELLOW@open',
      'threshold:ORANGE@open',
      'threshold:RED@open',
      'threshold:CRITICAL@open',
    ]);
    expect(conditions[3]).toMatchObject({
      periodStart: null,
      message: "acct_1 (key key_7): 100% of the period's funds spent (level CRITICAL)",
    });
    expect(subjectOf('acct_1', null)).toBe('acct_1');
  });

  it('soft and hard limits hold while the ledger says they are crossed', () => {
    const book = new AlertBook();
    const fired = book.see(
      balanceConditions(spent(100, { over_soft_limit: true, over_hard_limit: true })),
    );
    expect(fired.map((alert) => [alert.kind, alert.message])).toEqual([
      ['threshold', "acct_1: 100% of the period's funds spent (level CRITICAL)"],
      ['soft_limit', 'acct_1: soft limit crossed, 100.00 USD of 100.00 USD used'],
      [
        'hard_limit',
        'acct_1: hard limit reached, 100.00 USD of 100.00 USD used; spending beyond it is refused',
      ],
      [
        'projected_overrun',
        'acct_1: projected to spend about 100.14 USD this period, above the allowance of 100.00 USD',
      ],
    ]);
    const resolved = book.see(
      balanceConditions(spent(100, { available_percent: 50, over_soft_limit: true })),
    );
    expect(resolved.map((alert) => `${alert.state} ${alert.kind} ${alert.level}`)).toEqual([
      'resolved threshold CRITICAL',
      'resolved hard_limit CRITICAL',
    ]);
  });
});
