import { Decimal } from 'decimal.js';
import { PriceCatalog, localEntry } from './price-catalog';
import { defaultCatalog } from './default-catalog';
import { ENTERPRISE_VOLUME_TIERS, rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

describe('rating never throws on an unknown model', () => {
  it('prices an unknown model with its service fallback at confidence 0.5', () => {
    const rated = rateUsage(
      ratedEvent({ model: 'mystery-9000', input_tokens: 1000, output_tokens: 500 }),
      defaultCatalog(),
    );
    expect(rated).toMatchObject({
      provider: 'unknown',
      cost: '0.002500',
      confidence: 0.5,
      price_version: 'genai-prices@0.1.8+local.5:fallback/llm',
    });
  });

  it('falls back to the minimal price at confidence 0.1 when the catalog has no fallbacks', () => {
    const bare = PriceCatalog.fromEntries([], { version: 'empty' });
    const rated = rateUsage(ratedEvent({ model: 'x', input_tokens: 1_000_000 }), bare);
    expect(rated).toMatchObject({
      cost: '0.100000',
      confidence: 0.1,
      price_version: 'empty:fallback/minimal',
    });
  });

  it('lowers confidence when a known model lacks the price of a unit the event used', () => {
    const catalog = PriceCatalog.fromEntries(
      [localEntry('acme', 'speech-1', { inputPerMTok: new Decimal('1') })],
      { version: 'v' },
    );
    const rated = rateUsage(
      ratedEvent({ provider: 'acme', model: 'speech-1', service: 'stt', audio_seconds: '60' }),
      catalog,
    );
    expect(rated).toMatchObject({ cost: '0.006000', confidence: 0.5 });
  });

  it('rates free and self-hosted models at zero with full confidence', () => {
    expect(
      rateUsage(
        ratedEvent({ model: 'ollama/llama3', input_tokens: 5000, output_tokens: 5000 }),
        defaultCatalog(),
      ),
    ).toMatchObject({
      provider: 'local',
      cost: '0.000000',
      confidence: 1,
    });
    const free = rateUsage(
      ratedEvent({
        model: 'openrouter/agentica-org/deepcoder-14b-preview:free',
        input_tokens: 5000,
      }),
      defaultCatalog(),
    );
    expect(free).toMatchObject({ provider: 'openrouter', cost: '0.000000', confidence: 1 });
  });
});

describe('multipliers, markup and volume discounts', () => {
  const catalog = PriceCatalog.fromEntries(
    [
      localEntry('acme', 'm', {
        inputPerMTok: new Decimal('10'),
        outputPerMTok: new Decimal('10'),
      }),
    ],
    { version: 'v' },
  );
  const event = (power?: 'eco' | 'balanced' | 'precision') =>
    ratedEvent({
      provider: 'acme',
      model: 'm',
      input_tokens: 100_000,
      ...(power ? { power_level: power } : {}),
    });

  it('orders power levels eco < balanced < precision', () => {
    expect(rateUsage(event('eco'), catalog).cost).toBe('0.800000');
    expect(rateUsage(event('balanced'), catalog).cost).toBe('1.000000');
    expect(rateUsage(event(), catalog).cost).toBe('1.000000');
    expect(rateUsage(event('precision'), catalog).cost).toBe('1.250000');
  });

  it('adds the tier markup to paid usage only, and cost = parts + markup - discount exactly', () => {
    const marked = rateUsage(event(), catalog, { tierMarkupPercent: new Decimal('10') });
    expect(marked.breakdown.markup).toBe('0.100000');
    expect(marked.cost).toBe('1.100000');
    const free = rateUsage(
      ratedEvent({ model: 'ollama/llama3', input_tokens: 10 }),
      defaultCatalog(),
      { tierMarkupPercent: new Decimal('10') },
    );
    expect(free.breakdown.markup).toBe('0.000000');
  });

  it('gives the enterprise discount above 1M tokens a month', () => {
    const below = rateUsage(event(), catalog, {
      monthlyTokenVolume: 999_999,
      volumeDiscountTiers: ENTERPRISE_VOLUME_TIERS,
      tierMarkupPercent: new Decimal('10'),
    });
    const above = rateUsage(event(), catalog, {
      monthlyTokenVolume: 1_000_000,
      volumeDiscountTiers: ENTERPRISE_VOLUME_TIERS,
      tierMarkupPercent: new Decimal('10'),
    });
    expect(below.breakdown.discount).toBe('0.000000');
    expect(above.breakdown).toMatchObject({
      input: '1.000000',
      markup: '0.100000',
      discount: '0.220000',
    });
    expect(above.cost).toBe('0.880000');
  });
});
