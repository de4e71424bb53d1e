import { defaultCatalog } from '../rating/default-catalog';
import { rateUsage } from '../rating/rate-usage';
import { ratedEvent } from '../rating/rating.fixtures';
import { parsePaymentEvent } from './payment-event';
import { parseUsageRated } from './usage-rated';

const rated = rateUsage(ratedEvent({ input_tokens: 1000, output_tokens: 100 }), defaultCatalog());
const payment = {
  schema_version: 1,
  id: 'pay_1',
  account_id: 'acct_1',
  kind: 'credit_purchased',
  trigger: 'manual',
  credit_amount: '10.000000',
  paid_amount: '30.00',
  paid_currency: 'CHF',
  stripe_ref: 'cs_1',
  at: '2026-12-01T10:00:00.000Z',
};
const ABOVE = ['1000000.000000000001', '1000001', '99999999999999999999999999.999999999999'];
const WITHIN = ['1000000', '1000000.000000000000', '0001000000.00', '999999.999999999999'];

/**
 * Each fits NUMERIC(38,12), but the sums a reader adds it to did not: a rated cost or a payment
 * of 10^26 made PostgreSQL refuse every slice holding it (numeric field overflow). ADR 0096.
 */
describe('one usage event or one payment moves at most 1,000,000', () => {
  it('refuses a rated cost or breakdown part above it, naming the field', () => {
    for (const amount of ABOVE) {
      expect(parseUsageRated(JSON.stringify({ ...rated, cost: amount }))).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^cost: .*1000000/),
      });
      const breakdown = { ...rated.breakdown, discount: amount };
      expect(parseUsageRated(JSON.stringify({ ...rated, breakdown }))).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^breakdown\.discount: /),
      });
    }
  });

  it('refuses a payment crediting or paying above it, naming the field', () => {
    for (const amount of ABOVE) {
      for (const field of ['credit_amount', 'paid_amount']) {
        expect(parsePaymentEvent(JSON.stringify({ ...payment, [field]: amount }))).toMatchObject({
          ok: false,
          error: expect.stringMatching(new RegExp(`^${field}: .*1000000`)),
        });
      }
    }
  });

  it('reads 1,000,000 itself and anything below', () => {
    for (const amount of WITHIN) {
      expect(parseUsageRated(JSON.stringify({ ...rated, cost: amount })).ok).toBe(true);
      expect(
        parsePaymentEvent(
          JSON.stringify({ ...payment, credit_amount: amount, paid_amount: amount }),
        ).ok,
      ).toBe(true);
    }
  });
});
