import type { FactsRow } from './authorization.store';
import { RecentFacts } from './recent-facts';

const row = (held: string): FactsRow => ({
  status: 'active',
  holds_version: '7',
  balances: null,
  budgets: [],
  held,
  key_held: held,
  earlier: {
    reservation_id: 'res_1',
    amount: '1.000000000000',
    expires_at: '2026-12-02T10:00:00Z',
  },
  terms: { plan: null, account_cap: null, month: null, discounts: [] },
  fingerprint: 'f',
});
const key = (accountId: string, apiKeyId = 'key_1') => ({ accountId, apiKeyId });

describe('RecentFacts', () => {
  it("keeps a key's facts without the earlier hold, which belongs to its request id", () => {
    const recent = new RecentFacts();
    recent.keep(key('acct_1'), row('2'));
    expect(recent.get(key('acct_1'))).toEqual({ ...row('2'), earlier: null });
    expect(recent.get(key('acct_1', 'key_2'))).toBeUndefined();
  });

  it('forgets the least recently kept key past its capacity', () => {
    const recent = new RecentFacts(2);
    recent.keep(key('acct_1'), row('1'));
    recent.keep(key('acct_2'), row('2'));
    recent.keep(key('acct_1'), row('3'));
    recent.keep(key('acct_3'), row('4'));
    expect(recent.get(key('acct_2'))).toBeUndefined();
    expect(recent.get(key('acct_1'))?.held).toBe('3');
    expect(recent.get(key('acct_3'))?.held).toBe('4');
  });
});
