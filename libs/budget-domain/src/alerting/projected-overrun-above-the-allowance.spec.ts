import { parseBalanceChanged } from '../events/balance-changed';
import type { BalanceChanged } from '../events/balance-changed';
import { balanceConditions, projectedOverrun } from './alert-conditions';
import { AlertBook, balance } from './alerting.fixtures';

describe('projected overrun: the period’s projected cost above its allowance', () => {
  it('projects spend so far over the whole period, as the ledger’s budget status does', () => {
    // 10 days into a 30-day period with 40 spent: 120 projected against 100.
    const tenDaysIn = balance({ used: '40.000000', at: '2026-11-11T00:00:00.000Z' });
    expect(projectedOverrun(tenDaysIn)?.toString()).toBe('120');
    const conditions = balanceConditions(tenDaysIn).filter(
      (condition) => condition.kind === 'projected_overrun',
    );
    expect(conditions).toEqual([
      {
        key: 'projected_overrun@2026-11-01T00:00:00.000Z',
        kind: 'projected_overrun',
        level: 'GREEN',
        percent: 0,
        amount: '120.000000',
        periodStart: '2026-11-01T00:00:00.000Z',
        message:
          'acct_1: projected to spend about 120.00 USD this period, above the allowance of 100.00 USD',
      },
    ]);
    expect(projectedOverrun(balance({ used: '30.000000', at: '2026-11-11T00:00:00.000Z' }))).toBe(
      undefined,
    );
  });

  it('judges the ledger’s own projection when the record carries it, as its budget status answers', () => {
    // 40 spent 10 days into the period, in a budget set within the hour: the ledger projects 40
    // (no rate yet), not 120, and its budget status says so. Read as alerting reads the topic.
    const withProjection = (projected: string): BalanceChanged => {
      const parsed = parseBalanceChanged(
        JSON.stringify({
          ...balance({ used: '40.000000', at: '2026-11-11T00:00:00.000Z' }),
          projected_period_cost: projected,
        }),
      );
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.value;
    };
    expect(projectedOverrun(withProjection('40.000000'))).toBe(undefined);
    expect(
      balanceConditions(withProjection('40.000000')).filter(
        (condition) => condition.kind === 'projected_overrun',
      ),
    ).toEqual([]);
    // A budget set a day before, with the same spend: 40 a day over its remaining 20 days.
    expect(projectedOverrun(withProjection('800.000000'))?.toString()).toBe('800');
  });

  it('names a projection below a cent as it is, never "about 0.00" above a smaller allowance', () => {
    // Measured with npm start: a 0.001 budget 10 days into 30 with 0.00045 spent said "about 0.00".
    const small = balance({
      allowance: '0.001000',
      used: '0.000450',
      remaining: '0.000550',
      at: '2026-11-11T00:00:00.000Z',
    });
    expect(
      balanceConditions(small).find((condition) => condition.kind === 'projected_overrun')?.message,
    ).toBe(
      'acct_1: projected to spend about 0.00135 USD this period, above the allowance of 0.001 USD',
    );
  });

  it('needs an allowance and a bounded period', () => {
    expect(projectedOverrun(balance({ used: '40.000000', allowance: '0.000000' }))).toBe(undefined);
    expect(
      projectedOverrun(balance({ used: '400.000000', period: { start: null, end: null } })),
    ).toBe(undefined);
  });

  it('resolves when the rate of spend falls back under the allowance', () => {
    const book = new AlertBook();
    const kinds = (alerts: ReturnType<AlertBook['see']>) =>
      alerts.map((alert) => `${alert.state} ${alert.kind}`);
    expect(
      kinds(
        book.see(balanceConditions(balance({ used: '40.000000', at: '2026-11-11T00:00:00Z' }))),
      ),
    ).toEqual(['fired projected_overrun']);
    expect(
      kinds(
        book.see(balanceConditions(balance({ used: '41.000000', at: '2026-11-21T00:00:00Z' }))),
      ),
    ).toEqual(['resolved projected_overrun']);
  });
});
