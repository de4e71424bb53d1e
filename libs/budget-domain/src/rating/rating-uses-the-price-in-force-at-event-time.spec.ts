import { Decimal } from 'decimal.js';
import { PriceCatalog, localEntry } from './price-catalog';
import { defaultCatalog } from './default-catalog';
import { rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

describe('rating uses the price in force at the event time', () => {
  const catalog = PriceCatalog.fromEntries(
    [
      localEntry('acme', 'acme-1', {
        inputPerMTok: new Decimal('2'),
        outputPerMTok: new Decimal('4'),
      }),
      localEntry(
        'acme',
        'acme-1',
        { inputPerMTok: new Decimal('1'), outputPerMTok: new Decimal('2') },
        new Date('2026-11-01T00:00:00Z'),
      ),
    ],
    { version: 'contract-7' },
  );
  const event = (time: string) =>
    ratedEvent(
      { provider: 'acme', model: 'acme-1', input_tokens: 1_000_000, output_tokens: 1_000_000 },
      time,
    );

  it('rates an event before the change with the old price and after it with the new one', () => {
    const before = rateUsage(event('2026-10-31T23:59:59.999Z'), catalog);
    const after = rateUsage(event('2026-11-01T00:00:00.000Z'), catalog);
    expect(before.cost).toBe('6.000000');
    expect(before.price_version).toBe('contract-7:acme/acme-1@1970-01-01');
    expect(after.cost).toBe('3.000000');
    expect(after.price_version).toBe('contract-7:acme/acme-1@2026-11-01');
  });

  it('follows price changes dated in the maintained data set', () => {
    const now = rateUsage(
      ratedEvent({ provider: 'google', model: 'gemini-3.6-flash', input_tokens: 1_000_000 }),
      defaultCatalog(),
    );
    const later = rateUsage(
      ratedEvent(
        { provider: 'google', model: 'gemini-3.6-flash', input_tokens: 1_000_000 },
        '2027-01-01T00:00:00.000Z',
      ),
      defaultCatalog(),
    );
    expect(now.cost).toBe('0.750000');
    expect(later.cost).toBe('1.500000');
    expect(later.price_version).toContain('google/gemini-3.6-flash@2027-01-01');
  });

  it('applies off-peak prices only inside their hours (UTC)', () => {
    const at = (time: string) =>
      rateUsage(
        ratedEvent({ provider: 'deepseek', model: 'deepseek-chat', input_tokens: 1_000_000 }, time),
        defaultCatalog(),
      ).cost;
    expect(at('2026-11-22T12:00:00.000Z')).toBe('0.270000');
    expect(at('2026-11-22T20:00:00.000Z')).toBe('0.135000');
  });

  it('lets local entries override the data set and versions the catalog', () => {
    const contract = defaultCatalog().withEntries(
      [
        localEntry('openai', 'gpt-4o-mini', {
          inputPerMTok: new Decimal('0.1'),
          outputPerMTok: new Decimal('0.5'),
        }),
      ],
      'contract',
    );
    const rated = rateUsage(ratedEvent({ input_tokens: 1000, output_tokens: 1000 }), contract);
    expect(rated.cost).toBe('0.000600');
    expect(rated.price_version).toBe(
      'genai-prices@0.1.8+local.5+contract.1:openai/gpt-4o-mini@1970-01-01',
    );
  });
});
