import { Topics } from './topics';

describe('topic names', () => {
  it('are the contract names of DESIGN section 2', () => {
    expect(Object.values(Topics).sort()).toEqual([
      'alerts.fired',
      'ledger.balance-changed',
      'ledger.transactions',
      'payments.events',
      'topup.status-changed',
      'usage.dead-letter',
      'usage.events',
      'usage.rated',
    ]);
  });
});
