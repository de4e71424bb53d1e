import { parseRoute, routeHref } from './route';

describe('hash routes', () => {
  it('round-trips an account id with any characters', () => {
    for (const accountId of ['acct_1', 'a/b c', '<img src=x onerror=alert(1)>', 'ü%']) {
      expect(parseRoute(routeHref({ page: 'account', accountId }))).toEqual({
        page: 'account',
        accountId,
      });
    }
  });

  it('falls back to the accounts list for anything else', () => {
    expect(parseRoute('')).toEqual({ page: 'accounts' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'accounts' });
    expect(parseRoute('#/accounts/%E0%A4%A')).toEqual({ page: 'accounts' });
    expect(parseRoute('#/system')).toEqual({ page: 'system' });
  });
});
