import { accountFigures } from './account-figures';

describe('an account in the list', () => {
  it('reads its figures from the balance snapshot', () => {
    expect(
      accountFigures({
        account_id: 'a',
        balance: {
          available: '9.500000',
          used: '0.500000',
          available_percent: 95,
          alert_level: 'GREEN',
        },
      }),
    ).toEqual({
      available: '9.500000',
      used: '0.500000',
      availablePercent: 95,
      alertLevel: 'GREEN',
    });
  });

  it('has no figures before the ledger announced a balance', () => {
    expect(accountFigures({ account_id: 'a', balance: null })).toEqual({
      available: undefined,
      used: undefined,
      availablePercent: undefined,
      alertLevel: undefined,
    });
  });

  it('reads flat figures too', () => {
    expect(
      accountFigures({ account_id: 'a', balance: '3.33', used: '1', alert_level: 'RED' }),
    ).toEqual({ available: '3.33', used: '1', availablePercent: undefined, alertLevel: 'RED' });
  });
});
