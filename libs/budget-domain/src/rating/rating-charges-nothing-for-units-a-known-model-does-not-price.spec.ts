import { Decimal } from 'decimal.js';
import { PriceCatalog, localEntry } from './price-catalog';
import { defaultCatalog } from './default-catalog';
import { rateUsage } from './rate-usage';
import { ratedEvent } from './rating.fixtures';

const catalog = defaultCatalog();

describe('a unit a data-set model does not price costs nothing, at full confidence (ADR 0020)', () => {
  it('text-embedding-3-small sent as llm with output tokens: 0.000020, not 0.001520', () => {
    const rated = rateUsage(
      ratedEvent({ model: 'text-embedding-3-small', input_tokens: 1000, output_tokens: 500 }),
      catalog,
    );
    expect(rated).toMatchObject({ cost: '0.000020', confidence: 1 });
    expect(rated.breakdown).toMatchObject({ input: '0.000020', output: '0.000000' });
  });

  it('a speech model sent tokens, and a text model sent audio seconds, cost nothing for them', () => {
    expect(
      rateUsage(ratedEvent({ model: 'whisper-1', input_tokens: 1000 }), catalog),
    ).toMatchObject({ cost: '0.000000', confidence: 1 });
    expect(
      rateUsage(ratedEvent({ service: 'stt', model: 'gpt-4o', audio_seconds: '60' }), catalog),
    ).toMatchObject({ cost: '0.000000', confidence: 1 });
  });

  it('a local (contract) entry without the unit’s price still takes the service fallback at 0.5', () => {
    const contract = PriceCatalog.fromEntries(
      [localEntry('acme', 'acme-1', { inputPerMTok: new Decimal('2') })],
      { version: 'contract-1' },
    );
    const rated = rateUsage(
      ratedEvent({ provider: 'acme', model: 'acme-1', input_tokens: 1000, output_tokens: 1000 }),
      contract,
    );
    expect(rated).toMatchObject({ cost: '0.005000', confidence: 0.5 });
    expect(rated.breakdown).toMatchObject({ input: '0.002000', output: '0.003000' });
  });
});
