import { labelOf, summaryEntries } from './summary-entries';

describe('the system summary as it comes', () => {
  it('shows money as money, counts as counts and level maps as badges', () => {
    expect(
      summaryEntries({
        accounts: 12,
        total_spend: '1234.500000000000',
        active_api_keys: 30,
        period: 'month',
        accounts_by_alert_level: { GREEN: 7, YELLOW: 2, RED: 1, CRITICAL: 2, PURPLE: 9 },
        schema_version: 1,
        currency: 'USD',
        ratio: 0.5,
        nested: { deeper: true },
      }),
    ).toEqual([
      { key: 'accounts', label: 'Accounts', type: 'count', value: 12 },
      { key: 'total_spend', label: 'Total spend', type: 'money', value: '1234.500000000000' },
      { key: 'active_api_keys', label: 'Active api keys', type: 'count', value: 30 },
      { key: 'period', label: 'Period', type: 'text', value: 'month' },
      {
        key: 'accounts_by_alert_level',
        label: 'Accounts by alert level',
        type: 'levels',
        value: [
          ['GREEN', 7],
          ['YELLOW', 2],
          ['RED', 1],
          ['CRITICAL', 2],
        ],
      },
    ]);
  });

  it('labels keys in words', () => {
    expect(labelOf('spend_last_30_days')).toBe('Spend last 30 days');
  });
});
