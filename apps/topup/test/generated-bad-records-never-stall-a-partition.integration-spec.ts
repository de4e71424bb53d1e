import { consumedTopics, produceBadRecords } from '@tally/testing';
import { topUpAgainstFakeStripe } from './topup.harness';

/**
 * Every field of a balance change, changed to each hostile value (and removed), and records that
 * are no balance, on one partition: top-up handles each one, dead-lettering exactly those its
 * reader refuses. One it could not decide on would stall its partition, and the count.
 */
describe('generated bad balances never stall a top-up partition', () => {
  const account = 'acct_generated';
  const { topup } = topUpAgainstFakeStripe();

  it('handles each record once and dead-letters exactly the ones its reader refuses', async () => {
    const topics = consumedTopics(account)('ledger.balance-changed');
    for (const count of await produceBadRecords(topup, 'topup', topics, account)) {
      expect([count.topic, count.deadLettered]).toEqual([count.topic, count.refused]);
      expect(count.refused).toBeLessThan(count.produced);
    }
  });
});
