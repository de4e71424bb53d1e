import { defaultCatalog } from '../rating/default-catalog';
import { rateUsage } from '../rating/rate-usage';
import { ratedEvent } from '../rating/rating.fixtures';
import { parseUsageRated } from './usage-rated';

const rated = rateUsage(ratedEvent({ input_tokens: 1000, output_tokens: 100 }), defaultCatalog());
const IDENTIFIERS = [
  'id',
  'source',
  'account_id',
  'api_key_id',
  'provider',
  'model',
  'reservation_id',
] as const;

/**
 * The ledger, alerting and admin key rows by these (unique indexes, rollups): a value past an
 * index row's limit made PostgreSQL refuse every slice holding the record. Metering writes them
 * from usage events' identifiers, at most 256 characters.
 */
describe('usage.rated identifiers are at most 256 characters, as usage events’ are', () => {
  it('reads each at 256 characters', () => {
    for (const field of IDENTIFIERS) {
      const parsed = parseUsageRated(JSON.stringify({ ...rated, [field]: 'x'.repeat(256) }));
      expect([field, parsed.ok]).toEqual([field, true]);
    }
  });

  it('refuses each at 257 characters, naming it', () => {
    for (const field of IDENTIFIERS) {
      const parsed = parseUsageRated(JSON.stringify({ ...rated, [field]: 'x'.repeat(257) }));
      expect(parsed).toMatchObject({
        ok: false,
        reason: 'schema_violation',
        error: expect.stringMatching(new RegExp(`^${field}: `)),
      });
    }
  });
});
