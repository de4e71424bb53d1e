import { usageTransaction } from '@tally/testing';
import { parseLedgerTransaction } from '@tally/budget-domain';
import type { LedgerTransaction } from '@tally/budget-domain';
import { hourlySpendOf } from './hourly-spend';

const read = (record: Record<string, unknown>): LedgerTransaction => {
  const parsed = parseLedgerTransaction(JSON.stringify(record));
  if (!parsed.ok) throw new Error('not a ledger transaction');
  return parsed.value;
};
const figures = (transactions: LedgerTransaction[]) =>
  hourlySpendOf(transactions).map((increment) => [
    increment.accountId,
    increment.hour.toISOString(),
    increment.cost.toFixed(),
    increment.events,
  ]);

describe("hourly spend is what the ledger's usage lines charged (ADR 0168)", () => {
  it('sums each line once, as charged, in the UTC hour it occurred', () => {
    const transaction = read(
      usageTransaction('acct_1', [
        { charged: '0.110000', occurred_at: '2026-12-07T09:10:00Z' },
        { charged: '0.000045', occurred_at: '2026-12-07T09:59:59.999' },
        { charged: '0.500000', occurred_at: '2026-12-06T23:30:00Z' },
      ]),
    );
    expect(figures([transaction])).toEqual([
      ['acct_1', '2026-12-07T09:00:00.000Z', '0.110045', 2],
      ['acct_1', '2026-12-06T23:00:00.000Z', '0.5', 1],
    ]);
  });

  it('a usage transaction without lines is one event, charged what the tenant side paid', () => {
    const { lines: _lines, ...withoutLines } = usageTransaction('acct_1', [
      { charged: '0.300000', occurred_at: '2026-12-07T09:10:00Z' },
    ]);
    const transaction = read({
      ...withoutLines,
      postings: [
        { ledger_account: 'allowance', amount: '-0.200000' },
        { ledger_account: 'credit', amount: '-0.100000' },
        { ledger_account: 'revenue', amount: '0.300000' },
      ],
    });
    expect(figures([transaction])).toEqual([['acct_1', '2026-12-07T09:00:00.000Z', '0.3', 1]]);
  });

  it('credit moving in or out is no spend', () => {
    const purchase = read({
      ...usageTransaction('acct_1', []),
      kind: 'purchase',
      lines: undefined,
      postings: [
        { ledger_account: 'credit', amount: '10.000000' },
        { ledger_account: 'payments_clearing', amount: '-10.000000' },
      ],
    });
    expect(figures([purchase])).toEqual([]);
  });
});
