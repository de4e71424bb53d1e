import { Decimal } from 'decimal.js';
import { factsAfterHold, factsAt, keptFactsAt } from './authorization.store';
import type { FactsRow } from './authorization.store';
import { RecentFacts } from './recent-facts';

const NOW = new Date('2026-12-02T09:00:00Z');
const row = (held: string): FactsRow => ({
  status: 'active',
  key_revoked: false,
  holds_version: '7',
  balances: { credit: '10.000000000000', promotions: '-10.000000000000' } as FactsRow['balances'],
  budgets: [],
  held,
  key_held: held,
  earlier: {
    reservation_id: 'res_1',
    amount: '1.000000000000',
    expires_at: '2026-12-02T10:00:00Z',
    request_fingerprint: null,
  },
  terms: {
    plan: null,
    account_cap: null,
    month: null,
    discounts: [{ percent: '20', ends_at: '2026-12-02T12:00:00Z' }],
  },
  month: '2026-12-01',
  facts_version: '3',
  plan_name: 'free',
  plan_version: null,
});
const key = (accountId: string, apiKeyId = 'key_1') => ({ accountId, apiKeyId });

describe('RecentFacts', () => {
  it("keeps a key's facts without the earlier hold, which belongs to its request id", () => {
    const recent = new RecentFacts();
    recent.keep(key('acct_1'), factsAt(row('2'), NOW));
    expect(recent.get(key('acct_1'))).toEqual(factsAt({ ...row('2'), earlier: null }, NOW));
    expect(recent.get(key('acct_1', 'key_2'))).toBeUndefined();
  });

  it('forgets the least recently used key past its capacity', () => {
    const recent = new RecentFacts(2);
    recent.keep(key('acct_1'), factsAt(row('1'), NOW));
    recent.keep(key('acct_2'), factsAt(row('2'), NOW));
    recent.keep(key('acct_1'), factsAt(row('3'), NOW));
    recent.keep(key('acct_3'), factsAt(row('4'), NOW));
    expect(recent.get(key('acct_2'))).toBeUndefined();
    expect(recent.get(key('acct_1'))?.seen.held).toBe('3');
    expect(recent.get(key('acct_3'))?.seen.held).toBe('4');
  });
});

describe('facts kept across requests', () => {
  it('after a hold are the facts the row the hold leaves would give', () => {
    const after = factsAfterHold(factsAt(row('2.5'), NOW), new Decimal('0.25'));
    const rowLeft = { ...row('2.75'), holds_version: '8' };
    expect(after).toEqual(factsAt(rowLeft, NOW));
    expect(after.seen).toEqual(rowLeft);
  });

  it('are taken at the time of the request that uses them: a coupon ends', () => {
    const kept = factsAt(row('2'), NOW);
    expect(keptFactsAt(kept, NOW)?.terms.couponPercent.toFixed()).toBe('20');
    const later = new Date('2026-12-02T12:00:00Z');
    expect(keptFactsAt(kept, later)).toEqual(factsAt(row('2'), later));
    expect(keptFactsAt(kept, later)?.terms.couponPercent.toFixed()).toBe('0');
  });

  it("are not used once a new month began: their month counters are the last month's", () => {
    const lastOfNovember = new Date('2026-11-30T23:59:59Z');
    const november = {
      ...row('2'),
      month: '2026-11-01',
      terms: { ...row('2').terms, month: { tokens: '9000000', charged: '120.000000000000' } },
    };
    const kept = factsAt(november, lastOfNovember);
    expect(keptFactsAt(kept, new Date('2026-11-30T23:59:59.999Z'))).toBeDefined();
    expect(keptFactsAt(kept, new Date('2026-12-01T00:00:00Z'))).toBeUndefined();
  });
});
