import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';

/**
 * A ledger.transactions usage record (DESIGN 3.3) of the account: one line per event, each
 * `charged` its amount at its `occurred_at`, funded from overage; the postings are their sums.
 */
export function usageTransaction(
  accountId: string,
  lines: ReadonlyArray<{ readonly charged: string; readonly occurred_at: string }>,
): Record<string, unknown> {
  const total = lines.reduce((sum, line) => sum.plus(line.charged), new Decimal(0));
  const now = new Date().toISOString();
  return {
    schema_version: 1,
    transaction_id: randomUUID(),
    account_id: accountId,
    kind: 'usage',
    source_id: randomUUID(),
    occurred_at: lines[0]?.occurred_at ?? now,
    posted_at: now,
    postings: [
      { ledger_account: 'overage', amount: total.negated().toFixed(6) },
      { ledger_account: 'revenue', amount: total.toFixed(6) },
    ],
    details: { lines: lines.length },
    lines: lines.map((line) => ({
      usage_id: `req_${randomUUID()}`,
      source: 'gateway-test',
      api_key_id: 'key_test',
      service: 'llm',
      provider: 'openai',
      model: 'gpt-4o-mini',
      occurred_at: line.occurred_at,
      tokens: 1500,
      cost: line.charged,
      markup: '0',
      discount: '0',
      charged: line.charged,
      reservation_id: null,
      funding: { allowance: '0', credit: '0', overage: line.charged },
    })),
  };
}
