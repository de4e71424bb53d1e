import { TRANSACTION_KINDS } from '../api/api.types';
import {
  EMPTY_FILTER,
  csvFileName,
  filterProblem,
  toTransactionFilter,
} from './transaction-filter';

describe('the transactions filter', () => {
  it('asks for nothing when nothing is chosen', () => {
    expect(toTransactionFilter(EMPTY_FILTER)).toEqual({
      kind: undefined,
      from: undefined,
      to: undefined,
    });
  });

  it('turns UTC days into instants: the last day is included to its end', () => {
    expect(
      toTransactionFilter({ kind: 'usage', fromDay: '2026-11-01', toDay: '2026-11-30' }),
    ).toEqual({
      kind: 'usage',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    });
  });

  it('refuses a range that ends before it starts', () => {
    expect(filterProblem({ kind: '', fromDay: '2026-12-02', toDay: '2026-12-01' })).toBe(
      'The first day comes after the last.',
    );
    expect(filterProblem({ kind: '', fromDay: '2026-12-02', toDay: '2026-12-02' })).toBeUndefined();
  });

  it('names the CSV after the account and filter, without path characters', () => {
    expect(
      csvFileName('acct_1', { kind: 'grant', fromDay: '2026-11-01', toDay: '2026-11-30' }),
    ).toBe('transactions-acct_1-grant-2026-11-01-to-2026-11-30.csv');
    expect(csvFileName('../<evil> name', EMPTY_FILTER)).toBe('transactions-.._evil_name.csv');
  });
});

describe('the kind filter', () => {
  it('offers every kind of transaction the ledger posts', () => {
    // apps/ledger: credits (grant, bonus, refund), payments (purchase, purchase_refund), coupons,
    // usage, and budget periods (allowance_issue, allowance_expiry, allowance_withdrawal).
    expect([...TRANSACTION_KINDS].sort()).toEqual([
      'allowance_expiry',
      'allowance_issue',
      'allowance_withdrawal',
      'bonus',
      'coupon',
      'grant',
      'purchase',
      'purchase_refund',
      'refund',
      'usage',
    ]);
  });
});
