import { Decimal } from 'decimal.js';
import { EMPTY_CREDIT_POOLS } from '@tally/budget-domain';
import type { CreditPools, LedgerTransaction } from '@tally/budget-domain';
import { projectTransaction } from './transaction-projection';
import type { ProjectedTransaction } from './transaction-projection';

function transaction(
  kind: string,
  postings: Array<[string, string]>,
  extra: Partial<LedgerTransaction> = {},
): LedgerTransaction {
  return {
    schema_version: 1,
    transaction_id: `tx_${kind}_${postings.length}`,
    account_id: 'acct_1',
    kind,
    source_id: 'src',
    occurred_at: '2026-12-01T23:59:59.000Z',
    posted_at: '2026-12-02T00:00:01.000Z',
    postings: postings.map(([ledger_account, amount]) => ({ ledger_account, amount })),
    details:
      kind === 'usage'
        ? {
            usage_id: 'u1',
            source: 'gw',
            api_key_id: 'key_1',
            service: 'llm',
            provider: 'openai',
            model: 'gpt-4o',
          }
        : {},
    ...extra,
  };
}

const funding = (projected: ProjectedTransaction) =>
  projected.funding && {
    allowance: projected.funding.allowance.toFixed(),
    credit: projected.funding.credit.toFixed(),
    bonus: projected.funding.bonus.toFixed(),
    overage: projected.funding.overage.toFixed(),
  };
const pools = (p: CreditPools) => ({ paid: p.paid.toFixed(), bonus: p.bonus.toFixed() });

describe('usage funding splits credit into granted (bonus) and purchased (paid)', () => {
  it('a grant and a bonus add granted credit; a purchase adds paid credit', () => {
    let state = EMPTY_CREDIT_POOLS;
    state = projectTransaction(
      transaction('grant', [
        ['credit', '2.000000'],
        ['promotions', '-2.000000'],
      ]),
      state,
    ).pools;
    state = projectTransaction(
      transaction('purchase', [
        ['credit', '10.000000'],
        ['payments_clearing', '-10.000000'],
      ]),
      state,
    ).pools;
    expect(pools(state)).toEqual({ paid: '10', bonus: '2' });
  });

  it('usage posted without lines (before lines[]): allowance, then bonus, then paid credit, then overage', () => {
    const { projected, pools: after } = projectTransaction(
      transaction('usage', [
        ['allowance', '-1.000000'],
        ['credit', '-2.500000'],
        ['overage', '-0.250000'],
        ['revenue', '3.750000'],
      ]),
      { paid: new Decimal('10'), bonus: new Decimal('2') },
    );
    expect(projected.amount.toFixed()).toBe('-3.75');
    expect(funding(projected)).toEqual({
      allowance: '1',
      credit: '0.5',
      bonus: '2',
      overage: '0.25',
    });
    expect(pools(after)).toEqual({ paid: '9.5', bonus: '0' });
    expect(projected.usage).toEqual([
      expect.objectContaining({
        day: '2026-12-01',
        model: 'gpt-4o',
        apiKeyId: 'key_1',
        // One event, posted once: one request (ADR 0161); the shape before lines has no tokens.
        tokens: 0,
        requests: 1,
      }),
    ]);
    expect(projected.usage.map((usage) => usage.cost.toFixed())).toEqual(['3.75']);
  });

  it('usage posted as lines of a batch: each line spends the pools in order', () => {
    const line = (usage_id: string, credit: string, charged: string) => ({
      usage_id,
      source: 'gw',
      api_key_id: null,
      service: 'llm',
      provider: 'anthropic',
      model: 'claude-3-5-sonnet',
      occurred_at: '2026-12-02T10:00:00Z',
      cost: charged,
      markup: '0',
      discount: '0',
      charged,
      reservation_id: null,
      funding: { allowance: '0', credit, overage: '0' },
    });
    const { projected, pools: after } = projectTransaction(
      transaction(
        'usage',
        [
          ['credit', '-3.000000'],
          ['revenue', '3.000000'],
        ],
        { lines: [line('u1', '1.5', '1.5'), line('u2', '1.5', '1.5')] },
      ),
      { paid: new Decimal('5'), bonus: new Decimal('2') },
    );
    expect(funding(projected)).toEqual({ allowance: '0', credit: '1', bonus: '2', overage: '0' });
    expect(pools(after)).toEqual({ paid: '4', bonus: '0' });
    expect(projected.usage.map((u) => [u.day, u.apiKeyId, u.cost.toFixed()])).toEqual([
      ['2026-12-02', '', '1.5'],
      ['2026-12-02', '', '1.5'],
    ]);
  });

  it('a refund of credit takes from paid credit; other transactions have no funding', () => {
    const { projected, pools: after } = projectTransaction(
      transaction('refund', [
        ['credit', '-4.000000'],
        ['payments_clearing', '4.000000'],
      ]),
      { paid: new Decimal('3'), bonus: new Decimal('5') },
    );
    expect(projected.funding).toBeNull();
    expect(projected.amount.toFixed()).toBe('-4');
    expect(pools(after)).toEqual({ paid: '0', bonus: '4' });
    const issue = projectTransaction(
      transaction('allowance_issue', [
        ['allowance', '100.000000'],
        ['allowance_issued', '-100.000000'],
      ]),
      after,
    );
    expect(issue.projected.amount.toFixed()).toBe('100');
    expect(pools(issue.pools)).toEqual(pools(after));
  });
});
