import { defaultCatalog } from './default-catalog';
import { InvalidCatalogError, parseCatalogFile } from './catalog-file';
import { rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

describe('catalog files layer contract prices on the default catalog', () => {
  const file = JSON.stringify({
    version: 'contract-7',
    entries: [
      { provider: 'acme', model: 'acme-1', prices: { input_per_mtok: '2', output_per_mtok: '4' } },
      {
        provider: 'acme',
        model: 'acme-1',
        effective_from: '2026-11-01T00:00:00Z',
        prices: { input_per_mtok: '1', output_per_mtok: '2' },
      },
    ],
  });

  it('rates with the entries and names the file version', () => {
    const { version, entries } = parseCatalogFile(file);
    const catalog = defaultCatalog().withEntries(entries, version);
    const event = (time: string) =>
      ratedEvent(
        { provider: 'acme', model: 'acme-1', input_tokens: 1_000_000, output_tokens: 1_000_000 },
        time,
      );
    expect(rateUsage(event('2026-10-20T00:00:00.000Z'), catalog)).toMatchObject({
      cost: '6.000000',
      price_version: 'genai-prices@0.1.8+local.5+contract-7.2:acme/acme-1@1970-01-01',
    });
    expect(rateUsage(event('2026-11-20T00:00:00.000Z'), catalog).cost).toBe('3.000000');
  });

  it.each([
    ['not JSON', '{', 'catalog file: '],
    [
      'a number as price',
      JSON.stringify({
        version: 'v',
        entries: [{ provider: 'a', model: 'b', prices: { input_per_mtok: 1 } }],
      }),
      'entries.0.prices.input_per_mtok',
    ],
    [
      'a negative price',
      JSON.stringify({
        version: 'v',
        entries: [{ provider: 'a', model: 'b', prices: { per_image: '-1' } }],
      }),
      'per_image',
    ],
    [
      'an unknown price field',
      JSON.stringify({
        version: 'v',
        entries: [{ provider: 'a', model: 'b', prices: { per_token: '1' } }],
      }),
      'entries.0.prices',
    ],
    ['a version with spaces', JSON.stringify({ version: 'my prices', entries: [] }), 'version'],
  ])('refuses %s with the field at fault', (_case, raw, message) => {
    expect(() => parseCatalogFile(raw)).toThrow(InvalidCatalogError);
    expect(() => parseCatalogFile(raw)).toThrow(message);
  });
});
