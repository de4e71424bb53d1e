import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { UsageRated } from '@tally/budget-domain';
import { eventually, isolate, usageEvent } from '@tally/testing';
import { MeteringHarness } from './metering.harness';

const DAY = 24 * 3600 * 1000;

describe('metering rates with the catalog in force at the event time, and the catalog can be replaced', () => {
  const catalogFile = path.join(mkdtempSync(path.join(tmpdir(), 'tally-catalog-')), 'catalog.json');
  const priceChange = new Date(Date.now() - DAY).toISOString();
  const writeCatalog = (version: string, basePrice: string) =>
    writeFileSync(
      catalogFile,
      JSON.stringify({
        version,
        entries: [
          { provider: 'acme', model: 'acme-1', prices: { input_per_mtok: basePrice } },
          {
            provider: 'acme',
            model: 'acme-1',
            effective_from: priceChange,
            prices: { input_per_mtok: '1.00' },
          },
        ],
      }),
    );
  writeCatalog('contract-v1', '2.00');
  const harness = new MeteringHarness(isolate(), { catalogFile });
  const account = 'acct_prices';
  const call = (time: Date) =>
    usageEvent({
      subject: account,
      time: time.toISOString(),
      data: { provider: 'acme', model: 'acme-1', input_tokens: 1_000_000, output_tokens: 0 },
    });
  const ratedById = (id: string) => harness.rated.json<UsageRated>().find((r) => r.id === id);

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('rates a late event (three days old) with the old price, on its own day, and a current one with the new price', async () => {
    const late = call(new Date(Date.now() - 3 * DAY));
    const current = call(new Date());
    await harness.produce([late, current], account);

    await eventually(() => expect(ratedById(current.id)).toBeDefined());
    expect(ratedById(late.id)).toMatchObject({
      cost: '2.000000',
      occurred_at: late.time,
      price_version: 'genai-prices@0.1.8+local.5+contract-v1.2:acme/acme-1@1970-01-01',
    });
    expect(ratedById(current.id)).toMatchObject({
      cost: '1.000000',
      price_version: `genai-prices@0.1.8+local.5+contract-v1.2:acme/acme-1@${priceChange.slice(0, 10)}`,
    });
  });

  it('picks up a rewritten catalog file without a restart; events rated afterwards carry its version', async () => {
    writeCatalog('contract-v2', '3.00');
    let probe = call(new Date(Date.now() - 2 * DAY));
    await eventually(
      async () => {
        probe = call(new Date(Date.now() - 2 * DAY));
        await harness.produce([probe], account);
        await eventually(() => expect(ratedById(probe.id)).toBeDefined(), 10_000);
        expect(ratedById(probe.id)!.price_version).toContain('contract-v2');
      },
      20_000,
      200,
    );
    expect(ratedById(probe.id)!.cost).toBe('3.000000');
  });

  it('keeps the catalog in force when the new file is broken', async () => {
    writeFileSync(catalogFile, '{"version": "v3", "entries": [{"provider": "acme"');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = call(new Date());
    await harness.produce([after], account);
    await eventually(() => expect(ratedById(after.id)).toBeDefined());
    expect(ratedById(after.id)!.price_version).toContain('contract-v2');
  });
});
