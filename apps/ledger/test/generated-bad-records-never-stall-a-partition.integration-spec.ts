import { consumedTopics, produceBadRecords } from '@tally/testing';
import { LedgerHarness } from './ledger.harness';

/**
 * Every field of every payload the ledger consumes, changed to each hostile value (and
 * removed), and records that are no payload, on one partition: the ledger handles each one,
 * dead-lettering exactly those its readers refuse. One it could not post would stall its
 * partition, and the count.
 */
describe('generated bad records never stall a ledger partition', () => {
  const ledger = new LedgerHarness();
  const account = 'acct_generated';

  beforeAll(() => ledger.start());
  afterAll(() => ledger.stop());

  it('handles each record once and dead-letters exactly the ones its readers refuse', async () => {
    const topics = consumedTopics(account)(
      'usage.rated',
      'payments.events',
      'topup.status-changed',
    );
    for (const count of await produceBadRecords(ledger, 'ledger', topics, account)) {
      expect([count.topic, count.deadLettered]).toEqual([count.topic, count.refused]);
      expect(count.refused).toBeLessThan(count.produced);
    }
  });
});
