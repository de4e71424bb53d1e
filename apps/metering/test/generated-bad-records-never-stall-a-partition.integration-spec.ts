import { consumedTopics, produceBadRecords } from '@tally/testing';
import { MeteringHarness } from './metering.harness';

/**
 * Every field of a usage event, changed to each hostile value (and removed), and records that
 * are no event, on one partition: metering handles each one, dead-lettering exactly those its
 * reader refuses. One it could not rate would stall its partition, and the count.
 */
describe('generated bad usage events never stall a metering partition', () => {
  const metering = new MeteringHarness();
  const account = 'acct_generated';

  beforeAll(() => metering.start());
  afterAll(() => metering.stop());

  it('handles each record once and dead-letters exactly the ones its reader refuses', async () => {
    const topics = consumedTopics(account)('usage.events');
    for (const count of await produceBadRecords(metering, 'metering', topics, account)) {
      expect([count.topic, count.deadLettered]).toEqual([count.topic, count.refused]);
      expect(count.refused).toBeLessThan(count.produced);
    }
  });
});
