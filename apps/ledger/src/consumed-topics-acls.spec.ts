import { missingConsumerAcls } from '@tally/testing';

describe('the broker in secure mode lets the ledger read what it consumes (infra/kafka/acls.txt)', () => {
  it('grants it Read and Create on every topic it subscribes to', () => {
    expect(missingConsumerAcls('ledger', __dirname)).toEqual([]);
  });
});
