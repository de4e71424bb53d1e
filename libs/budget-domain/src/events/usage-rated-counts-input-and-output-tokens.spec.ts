import { defaultCatalog } from '../rating/default-catalog';
import { rateUsage } from '../rating/rate-usage';
import { ratedEvent } from '../rating/rating.fixtures';
import { parseUsageRated, usageTokens } from './usage-rated';

describe('a rated event counts its input and output tokens into the month', () => {
  const rated = rateUsage(
    ratedEvent({ input_tokens: 1200, cached_input_tokens: 200, output_tokens: 300 }),
    defaultCatalog(),
  );

  it('adds input and output tokens (cached tokens are part of the input)', () => {
    expect(usageTokens(rated)).toBe(1500);
    expect(usageTokens({ quantities: { audio_seconds: '12.5' } })).toBe(0);
  });

  it('refuses a rated event whose token counts are not counts', () => {
    expect(parseUsageRated(JSON.stringify(rated)).ok).toBe(true);
    for (const input_tokens of [-1, 1.5, '1200', 100_000_001]) {
      expect(
        parseUsageRated(
          JSON.stringify({ ...rated, quantities: { ...rated.quantities, input_tokens } }),
        ),
      ).toMatchObject({
        ok: false,
        reason: 'schema_violation',
        error: expect.stringContaining('quantities.input_tokens'),
      });
    }
  });
});
