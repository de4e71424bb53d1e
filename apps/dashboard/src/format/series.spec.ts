import { dailySpend, spendBy } from './series';

describe('chart series from usage rows', () => {
  const days = ['2026-11-30', '2026-12-01', '2026-12-02'];

  it('fills days without usage with zero and sums rows of one day exactly', () => {
    const points = dailySpend(
      [
        { day: '2026-12-02', cost: '0.100000000001' },
        { day: '2026-12-02T00:00:00.000Z', cost: '0.2' },
        { day: '2026-11-30', cost: '1.5' },
        { day: '2026-10-01', cost: '9' },
      ],
      days,
    );
    expect(points).toEqual([
      { day: '2026-11-30', cost: '1.5', value: 1.5 },
      { day: '2026-12-01', cost: '0', value: 0 },
      { day: '2026-12-02', cost: '0.300000000001', value: 0.300000000001 },
    ]);
  });

  it('ranks spend by model, highest first, and folds the tail into one slice', () => {
    const rows = [
      { model: 'a', cost: '1' },
      { model: 'b', cost: '3' },
      { model: 'c', cost: '2' },
      { model: 'd', cost: '0.5' },
      { cost: '0.25' },
    ];
    expect(spendBy(rows, (row) => row.model).map((entry) => entry.label)).toEqual([
      'b',
      'c',
      'a',
      'd',
      'unknown',
    ]);
    expect(spendBy(rows, (row) => row.model, 3)).toEqual([
      { label: 'b', cost: '3', value: 3 },
      { label: 'c', cost: '2', value: 2 },
      { label: '3 others', cost: '1.75', value: 1.75 },
    ]);
  });
});
