import { EMPTY_CREDIT_POOLS } from '@tally/budget-domain';
import type { LedgerTransaction } from '@tally/budget-domain';
import { projectTransaction } from './transaction-projection';

type Line = NonNullable<LedgerTransaction['lines']>[number];

function line(usageId: string, occurredAt: string, charged: string, tokens?: number): Line {
  return {
    usage_id: usageId,
    source: 'gw',
    api_key_id: 'key_1',
    service: 'llm',
    provider: 'openai',
    model: 'gpt-4o',
    occurred_at: occurredAt,
    ...(tokens === undefined ? {} : { tokens }),
    cost: charged,
    markup: '0',
    discount: '0',
    charged,
    reservation_id: null,
    funding: { allowance: charged, credit: '0', overage: '0' },
  };
}

function usage(
  lines: Line[] | undefined,
  details: Record<string, unknown> = {},
): LedgerTransaction {
  return {
    schema_version: 1,
    transaction_id: 'tx_usage',
    account_id: 'acct_1',
    kind: 'usage',
    source_id: 'gw:u1',
    occurred_at: '2026-12-02T10:00:00.000Z',
    posted_at: '2026-12-02T10:00:01.000Z',
    postings: [
      { ledger_account: 'allowance', amount: '-0.75' },
      { ledger_account: 'revenue', amount: '0.75' },
    ],
    details,
    ...(lines ? { lines } : {}),
  };
}

const rollup = (transaction: LedgerTransaction) =>
  projectTransaction(transaction, EMPTY_CREDIT_POOLS).projected.usage.map((increment) => [
    increment.day,
    increment.cost.toFixed(),
    increment.tokens,
    increment.requests,
  ]);

/*
 * Metering may rate one event twice (a retry re-stamped across a UTC day, ADR 0041); the ledger
 * posts it once. Admin's usage rows take cost, tokens and requests from the ledger's lines
 * (ADR 0161), so they count what the ledger counted.
 */
describe("usage rollups count each of the ledger's lines once", () => {
  it("adds each line's charge, tokens and one request on the day it occurred", () => {
    expect(
      rollup(
        usage([
          line('u1', '2026-12-01T23:59:59.999Z', '0.25', 1_200),
          line('u2', '2026-12-02T09:00:00.000Z', '0.5', 3_400),
        ]),
      ),
    ).toEqual([
      ['2026-12-01', '0.25', 1_200, 1],
      ['2026-12-02', '0.5', 3_400, 1],
    ]);
  });

  it('a line from before the ledger published tokens is a request without tokens', () => {
    expect(rollup(usage([line('u1', '2026-12-02T09:00:00.000Z', '0.75')]))).toEqual([
      ['2026-12-02', '0.75', 0, 1],
    ]);
  });

  it('a usage transaction from before lines is one request', () => {
    expect(
      rollup(
        usage(undefined, {
          usage_id: 'u1',
          source: 'gw',
          api_key_id: null,
          service: 'llm',
          provider: 'openai',
          model: 'gpt-4o',
        }),
      ),
    ).toEqual([['2026-12-02', '0.75', 0, 1]]);
  });
});
