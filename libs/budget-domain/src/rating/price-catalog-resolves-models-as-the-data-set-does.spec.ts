import { Decimal } from 'decimal.js';
import type { CatalogEntry, ModelPrices } from './price-catalog';
import { PriceCatalog, localEntry, secondsOfDayUtc } from './price-catalog';
import { defaultCatalog } from './default-catalog';
import { rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

const price = (input: string): ModelPrices => ({ inputPerMTok: new Decimal(input) });
const dataSetEntry = (
  modelId: string,
  prices: ModelPrices,
  variant: Partial<Pick<CatalogEntry, 'effectiveFrom' | 'timeOfDay'>> = {},
): CatalogEntry => ({
  provider: 'acme',
  modelId,
  matches: (name) => name === modelId,
  effectiveFrom: new Date(0),
  prices,
  origin: 'genai-prices',
  ...variant,
});
const costAt = (catalog: PriceCatalog, model: string, time = '2026-11-22T10:00:00.000Z') =>
  rateUsage(ratedEvent({ provider: 'acme', model, input_tokens: 1_000_000 }, time), catalog).cost;

describe('the catalog resolves models and price variants as the data set does', () => {
  it('uses a model’s first variant when none applies yet', () => {
    const catalog = PriceCatalog.fromEntries(
      [
        dataSetEntry('m', price('3'), { effectiveFrom: new Date('2027-01-01T00:00:00Z') }),
        dataSetEntry('m', price('5'), { effectiveFrom: new Date('2027-06-01T00:00:00Z') }),
      ],
      { version: 'v' },
    );
    expect(catalog.size).toBe(2);
    expect(costAt(catalog, 'm')).toBe('3.000000');
    expect(costAt(catalog, 'm', '2027-07-01T00:00:00.000Z')).toBe('5.000000');
  });

  it('retries a name with its compact date written with dashes, valid dates only', () => {
    const catalog = PriceCatalog.fromEntries(
      [dataSetEntry('m-2024-06-20', price('2')), dataSetEntry('m-2024-02-31', price('9'))],
      { version: 'v', fallbacks: { llm: price('1') } },
    );
    expect(costAt(catalog, 'm-20240620')).toBe('2.000000');
    expect(costAt(catalog, 'm-20240620-v1:0')).toBe('1.000000');
    expect(costAt(catalog, 'm-20240231')).toBe('1.000000');
  });

  it('lets a local entry in force win over the data set, even over a newer data-set version', () => {
    const contract = defaultCatalog().withEntries(
      [localEntry('anthropic', 'claude-opus-4-6', price('1'), new Date('2026-01-01T00:00:00Z'))],
      'contract',
    );
    const opus = (time: string) =>
      rateUsage(ratedEvent({ model: 'claude-opus-4-6', input_tokens: 100_000 }, time), contract)
        .cost;
    expect(opus('2025-12-31T00:00:00.000Z')).toBe('0.500000');
    expect(opus('2026-11-22T00:00:00.000Z')).toBe('0.100000');
  });

  it('applies a time-of-day window that runs over midnight', () => {
    const catalog = PriceCatalog.fromEntries(
      [
        dataSetEntry('m', price('2')),
        dataSetEntry('m', price('1'), {
          timeOfDay: { startTime: '22:00:00Z', endTime: '06:00:00Z' },
        }),
      ],
      { version: 'v' },
    );
    expect(costAt(catalog, 'm', '2026-11-22T23:00:00.000Z')).toBe('1.000000');
    expect(costAt(catalog, 'm', '2026-11-22T05:59:59.999Z')).toBe('1.000000');
    expect(costAt(catalog, 'm', '2026-11-22T06:00:00.000Z')).toBe('2.000000');
  });

  it('of two local entries from the same date, the one layered last wins', () => {
    const catalog = PriceCatalog.fromEntries([localEntry('acme', 'm', price('4'))], {
      version: 'v',
    }).withEntries([localEntry('acme', 'm', price('3'))]);
    expect(costAt(catalog, 'm')).toBe('3.000000');
  });

  it('reads times of day with fractions and offsets, and refuses anything else', () => {
    expect(secondsOfDayUtc('16:30:00Z')).toBe(59_400);
    expect(secondsOfDayUtc('00:30:00.5+08:00')).toBe(59_400.5);
    expect(secondsOfDayUtc('23:00:00-02:00')).toBe(3_600);
    expect(() => secondsOfDayUtc('4pm')).toThrow(RangeError);
  });
});
