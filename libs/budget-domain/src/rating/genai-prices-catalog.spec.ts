import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Decimal } from 'decimal.js';
import { GENAI_PRICES_VERSION, compileMatch, genaiPricesEntries } from './genai-prices.catalog';
import { defaultCatalog } from './default-catalog';

describe('the default catalog is built from @pydantic/genai-prices', () => {
  it('records the installed release', () => {
    const entry = require.resolve('@pydantic/genai-prices');
    const manifest = JSON.parse(
      readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(GENAI_PRICES_VERSION).toBe(manifest.version);
    expect(defaultCatalog().version).toBe(`genai-prices@${manifest.version}+local.5`);
  });

  it('converts every price to an exact decimal', () => {
    const mini = genaiPricesEntries(['openai']).find((entry) => entry.modelId === 'gpt-4o-mini')!;
    expect((mini.prices.inputPerMTok as Decimal).toFixed()).toBe('0.15');
    expect((mini.prices.cachedInputPerMTok as Decimal).toFixed()).toBe('0.075');
    expect(mini.matches('gpt-4o-mini-2024-07-18')).toBe(true);
    expect(genaiPricesEntries(['no-such-provider'])).toEqual([]);
  });

  it('compiles every kind of match rule', () => {
    const rule = compileMatch({
      or: [
        { and: [{ starts_with: 'A' }, { ends_with: 'z' }] },
        { contains: 'mid' },
        { regex: '^re-\\d+$' },
        { equals: 'Exact' },
      ],
    });
    expect(['abz', 'xmidx', 're-12', 'exact'].map(rule)).toEqual([true, true, true, true]);
    expect(['ab', 're-x', 'exactly'].map(rule)).toEqual([false, false, false]);
  });
});
