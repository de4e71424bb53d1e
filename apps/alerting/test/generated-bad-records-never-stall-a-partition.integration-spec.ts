import { consumedTopics, produceBadRecords } from '@tally/testing';
import { AlertingHarness } from './alerting.harness';

/**
 * Every field of every payload alerting consumes, changed to each hostile value (and removed),
 * and records that are no payload, on one partition: alerting handles each one, dead-lettering
 * exactly those its readers refuse. One it could not store would stall its partition, and the
 * count.
 */
describe('generated bad records never stall an alerting partition', () => {
  const alerting = new AlertingHarness();
  const account = 'acct_generated';

  beforeAll(() => alerting.start());
  afterAll(() => alerting.stop());

  it('handles each record once and dead-letters exactly the ones its readers refuse', async () => {
    const topics = consumedTopics(account)(
      'ledger.balance-changed',
      'usage.rated',
      'ledger.transactions',
      'payments.events',
      'topup.status-changed',
    );
    for (const count of await produceBadRecords(alerting, 'alerting', topics, account)) {
      expect([count.topic, count.deadLettered]).toEqual([count.topic, count.refused]);
      expect(count.refused).toBeLessThan(count.produced);
    }
  });
});
