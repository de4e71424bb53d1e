import { Decimal } from 'decimal.js';
import { defaultCatalog } from './default-catalog';
import { estimateCost, rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

const catalog = defaultCatalog();
const sonar = (data: Parameters<typeof ratedEvent>[0] = {}) =>
  rateUsage(ratedEvent({ provider: 'perplexity', model: 'sonar', ...data }), catalog);

describe('rating applies per-request fees', () => {
  it('perplexity sonar, 1000 input + 500 output: 0.013500 with the 12/1000 request fee, not 0.001500', () => {
    const rated = sonar({ input_tokens: 1000, output_tokens: 500 });
    expect(rated).toMatchObject({ cost: '0.013500', confidence: 1 });
    expect(rated.breakdown).toMatchObject({
      input: '0.001000',
      output: '0.000500',
      requests: '0.012000',
    });
  });

  it('the fee is due on every call, even one that used no tokens', () => {
    expect(sonar().cost).toBe('0.012000');
    expect(
      rateUsage(ratedEvent({ provider: 'perplexity', model: 'sonar-pro' }), catalog).cost,
    ).toBe('0.014000');
  });

  it('power levels scale the fee like every other part, and cost = parts exactly', () => {
    const rated = sonar({ input_tokens: 1000, output_tokens: 500, power_level: 'precision' });
    expect(rated.breakdown.requests).toBe('0.015000');
    const parts = Object.entries(rated.breakdown)
      .filter(([name]) => name !== 'markup' && name !== 'discount')
      .reduce((sum, [, value]) => sum.plus(value), new Decimal(0));
    expect(parts.toFixed(6)).toBe(rated.cost);
  });

  it('a model without a fee has a zero requests part, and estimates include the fee', () => {
    expect(rateUsage(ratedEvent({ input_tokens: 1000 }), catalog).breakdown.requests).toBe(
      '0.000000',
    );
    expect(
      estimateCost(
        {
          service: 'llm',
          provider: 'perplexity',
          model: 'sonar',
          inputTokens: 0,
          maxOutputTokens: 0,
          at: new Date('2026-11-22T10:00:00Z'),
        },
        catalog,
      ).toFixed(),
    ).toBe('0.012');
  });
});
