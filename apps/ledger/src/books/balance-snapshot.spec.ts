import { Decimal } from 'decimal.js';
import { balanceSnapshot } from './balance-snapshot';
import type { LedgerCode } from './ledger-codes';

describe('balance snapshot of an account without a budget', () => {
  const at = new Date('2026-11-22T10:00:00Z');
  const cause = { transactionId: 'tx_1', kind: 'usage' };

  it('measures prepaid credit against all credit added: 10 granted, 2.5 used -> 75 %, GREEN', () => {
    const balances = new Map<LedgerCode, Decimal>([
      ['credit', new Decimal('7.5')],
      ['promotions', new Decimal('-10')],
      ['revenue', new Decimal('2.5')],
    ]);
    expect(
      balanceSnapshot({
        accountId: 'acct_1',
        sequence: 4,
        balances,
        holds: new Decimal(0),
        cause,
        at,
      }),
    ).toEqual({
      schema_version: 1,
      account_id: 'acct_1',
      api_key_id: null,
      sequence: 4,
      period: { start: null, end: null },
      allowance: '0.000000',
      used: '2.500000',
      remaining: '0.000000',
      extra_credit_remaining: '7.500000',
      available: '7.500000',
      available_percent: 75,
      alert_level: 'GREEN',
      over_soft_limit: false,
      over_hard_limit: false,
      overage: '0.000000',
      // No budget, no bounded period: nothing to extrapolate.
      projected_period_cost: '2.500000',
      cause: { transaction_id: 'tx_1', kind: 'usage' },
      at: '2026-11-22T10:00:00.000Z',
    });
  });

  it('subtracts held reservations from available only', () => {
    const balances = new Map<LedgerCode, Decimal>([
      ['credit', new Decimal('10')],
      ['promotions', new Decimal('-10')],
    ]);
    expect(
      balanceSnapshot({
        accountId: 'acct_3',
        sequence: 4,
        balances,
        holds: new Decimal('4'),
        cause,
        at,
      }),
    ).toMatchObject({
      available: '6.000000',
      available_percent: 100,
      alert_level: 'GREEN',
    });
  });

  it('reports usage covered by nothing as overage, CRITICAL', () => {
    const balances = new Map<LedgerCode, Decimal>([
      ['overage', new Decimal('-0.00045')],
      ['revenue', new Decimal('0.00045')],
    ]);
    expect(
      balanceSnapshot({
        accountId: 'acct_2',
        sequence: 4,
        balances,
        holds: new Decimal(0),
        cause,
        at,
      }),
    ).toMatchObject({
      used: '0.000450',
      overage: '0.000450',
      available_percent: 0,
      alert_level: 'CRITICAL',
    });
  });
});
