import { consumedTopics, produceBadRecords } from '@tally/testing';
import { AdminHarness } from './admin.harness';

/**
 * Every field of every payload admin projects, changed to each hostile value (and removed), and
 * records that are no payload, on one partition: admin handles each one, dead-lettering exactly
 * those its readers refuse. One it could not store would stall its partition, and the count.
 */
describe('generated bad records never stall an admin projection', () => {
  const harness = new AdminHarness({}, []);
  const account = 'acct_generated';

  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('handles each record once and dead-letters exactly the ones its readers refuse', async () => {
    const topics = consumedTopics(account)(
      'ledger.balance-changed',
      'usage.rated',
      'ledger.transactions',
      'alerts.fired',
      'payments.events',
      'topup.status-changed',
      'usage.dead-letter',
    );
    const counts = await produceBadRecords(harness.admin, 'admin', topics, account);
    for (const count of counts) {
      expect([count.topic, count.deadLettered]).toEqual([count.topic, count.refused]);
      expect(count.refused).toBeLessThan(count.produced);
    }
  });
});
