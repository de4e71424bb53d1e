import { levelCounts, summaryDaily, summaryEntries } from './summary-entries';

const summary = {
  as_of: '2026-12-02T10:00:00.000Z',
  days: 30,
  from: '2026-11-03',
  accounts: 12,
  alert_levels: { GREEN: 7, YELLOW: 2, ORANGE: 0, RED: 1, CRITICAL: 2 },
  extra_credit_remaining: '1234.500000000000',
  today: { cost: '4.200000', tokens: 1200000, requests: 340 },
  window: { cost: '98.765432', tokens: 45000000, requests: 10234 },
  daily: [
    { day: '2026-12-01', cost: '3.1', tokens: 10, requests: 1 },
    { day: '2026-12-02', cost: '4.2', tokens: 10, requests: 1 },
    { cost: '1' },
  ],
};

describe('the system summary', () => {
  it('shows accounts, spend today and in the window, credit held and accounts per level', () => {
    expect(summaryEntries(summary)).toEqual([
      { key: 'accounts', label: 'Accounts', type: 'count', value: 12 },
      {
        key: 'today',
        label: 'Spend today (UTC)',
        type: 'money',
        value: '4.200000',
        hint: '340 requests · 1,200,000 tokens',
      },
      {
        key: 'window',
        label: 'Spend, last 30 days',
        type: 'money',
        value: '98.765432',
        hint: '10,234 requests · 45,000,000 tokens',
      },
      {
        key: 'extra_credit_remaining',
        label: 'Prepaid credit held',
        type: 'money',
        value: '1234.500000000000',
      },
      {
        key: 'alert_levels',
        label: 'Accounts by alert level',
        type: 'levels',
        value: [
          ['GREEN', 7],
          ['YELLOW', 2],
          ['ORANGE', 0],
          ['RED', 1],
          ['CRITICAL', 2],
        ],
      },
    ]);
  });

  it('leaves out what is missing or malformed, and keeps the rest', () => {
    expect(
      summaryEntries({ accounts: 3, today: { cost: 4.2 }, extra_credit_remaining: 'lots' }),
    ).toEqual([{ key: 'accounts', label: 'Accounts', type: 'count', value: 3 }]);
    expect(levelCounts({ GREEN: 1, PURPLE: 9, RED: '2' })).toEqual([['GREEN', 1]]);
  });

  it('reads the daily spend for the chart', () => {
    expect(summaryDaily(summary)).toEqual([
      { day: '2026-12-01', cost: '3.1' },
      { day: '2026-12-02', cost: '4.2' },
    ]);
    expect(summaryDaily({})).toEqual([]);
  });
});
