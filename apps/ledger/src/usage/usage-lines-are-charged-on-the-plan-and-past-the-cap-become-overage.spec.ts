import { Decimal } from 'decimal.js';
import { FREE_PLAN } from '@tally/budget-domain';
import type { UsageRated } from '@tally/budget-domain';
import { usageRated } from '@tally/testing';
import { OpenBooks } from '../books/books.service';
import type { LedgerCode } from '../books/ledger-codes';
import type { AccountChargeTerms } from '../plans/plans.store';
import { recordUsage } from './usage-posting';

const d = (value: string) => new Decimal(value);
const event = (cost: string, tokens: number, overrides: Record<string, unknown> = {}) =>
  usageRated('acct_1', cost, {
    quantities: { input_tokens: tokens, output_tokens: 0 },
    ...overrides,
  }) as unknown as UsageRated;
const books = (credit: string) =>
  new OpenBooks(
    new Map([
      ['acct_1', { balances: new Map<LedgerCode, Decimal>([['credit', d(credit)]]), version: 0 }],
    ]),
    [],
  );
const terms = (overrides: Partial<AccountChargeTerms> = {}): AccountChargeTerms => ({
  plan: {
    ...FREE_PLAN,
    markupPercentPaid: d('10'),
    volumeTiers: [{ fromTokens: 1000, percent: d('50') }],
  },
  planName: 'reseller',
  couponPercent: d('0'),
  monthlyCap: null,
  monthTokens: 0,
  monthCharged: d('0'),
  ...overrides,
});

describe('usage lines are charged on the plan, in order, and what passes the cap is overage', () => {
  it('charges each line on the tokens before it and posts the charges as revenue', () => {
    const open = books('10');
    const { lines, month } = recordUsage(
      open,
      'acct_1',
      [event('1', 500), event('1', 1000), event('1', 0, { provider: 'local', model: 'x' })],
      terms(),
    );
    // 1.10; 500 of 1,000 tokens at 50 %: 1.10 − 0.275; free model: no markup, tier reached: 50 %.
    expect(lines.map((line) => [line.markup, line.discount, line.charged].map(String))).toEqual([
      ['0.1', '0', '1.1'],
      ['0.1', '0.275', '0.825'],
      ['0', '0.5', '0.5'],
    ]);
    expect([month.tokens, month.charged.toFixed()]).toEqual([1500, '2.425']);
    expect(
      open.transactions[0]!.postings.map((posting) => [posting.code, posting.amount.toFixed()]),
    ).toEqual([
      ['allowance', '0'],
      ['credit', '-2.425'],
      ['overage', '0'],
      ['revenue', '2.425'],
    ]);
  });

  it('funds a line up to the monthly cap and sends the rest to overage, whatever credit is left', () => {
    const open = books('100');
    const { lines } = recordUsage(
      open,
      'acct_1',
      [event('1', 10), event('1', 10)],
      terms({ monthlyCap: d('5'), monthCharged: d('4') }),
    );
    expect(lines.map((line) => [line.fromCredit, line.toOverage].map(String))).toEqual([
      ['1', '0.1'],
      ['0', '1.1'],
    ]);
    expect(open.balancesOf('acct_1').get('credit')?.toFixed()).toBe('99');
  });

  it('continues the month it is given: a slice after 1,000 tokens is discounted at once', () => {
    const { lines } = recordUsage(
      books('10'),
      'acct_1',
      [event('2', 10)],
      terms({ monthTokens: 1000 }),
    );
    expect(lines[0]!.charged.toFixed()).toBe('1.1');
  });
});
