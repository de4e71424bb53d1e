import type { Account } from '../api/api.types';
import { orderAccounts } from './account-order';

const account = (
  id: string,
  level: Account['alert_level'],
  available: string | undefined,
  used: string | undefined,
  percent?: number,
): Account => ({
  account_id: id,
  name: id.toUpperCase(),
  balance:
    available === undefined
      ? null
      : { available, used, alert_level: level, available_percent: percent },
});

const accounts = [
  account('b', 'GREEN', '900.5', '10', 90),
  account('a', 'RED', '12345678901234567890.000000000001', '0.000000000001', 5),
  account('c', 'CRITICAL', '0', '100', 0),
  account('d', undefined, undefined, undefined),
  account('e', 'RED', '3', '5', 8),
];
const ids = (list: Account[]) => list.map((entry) => entry.account_id);

describe('ordering the accounts list', () => {
  it('puts the most urgent first: level, then the smallest share of funds left', () => {
    expect(ids(orderAccounts(accounts, 'urgent'))).toEqual(['c', 'a', 'e', 'b', 'd']);
  });

  it('orders balances exactly, past what a float holds, missing ones last', () => {
    expect(ids(orderAccounts(accounts, 'balance'))).toEqual(['c', 'e', 'b', 'a', 'd']);
  });

  it('puts the highest spend first', () => {
    expect(ids(orderAccounts(accounts, 'used'))).toEqual(['c', 'b', 'e', 'a', 'd']);
  });

  it('orders by name, and leaves the input alone', () => {
    expect(ids(orderAccounts(accounts, 'name'))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ids(accounts)).toEqual(['b', 'a', 'c', 'd', 'e']);
  });
});
