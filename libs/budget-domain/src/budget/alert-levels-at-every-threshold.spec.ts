import { Decimal } from 'decimal.js';
import { alertLevelFor, recommendedStrategyFor } from './alert-level';

describe('alert levels at every threshold', () => {
  it.each([
    ['0', 'GREEN'],
    ['49.99', 'GREEN'],
    ['50', 'YELLOW'],
    ['74.999999', 'YELLOW'],
    ['75', 'ORANGE'],
    ['89.99', 'ORANGE'],
    ['90', 'RED'],
    ['99.999999999999', 'RED'],
    ['100', 'CRITICAL'],
    ['250', 'CRITICAL'],
    ['-30', 'GREEN'],
  ])('%s %% spent is %s', (percent, level) => {
    expect(alertLevelFor(new Decimal(percent))).toBe(level);
  });

  it('recommends a strategy per level', () => {
    expect(
      ['GREEN', 'YELLOW', 'ORANGE', 'RED', 'CRITICAL'].map((level) =>
        recommendedStrategyFor(level as never),
      ),
    ).toEqual(['QUALITY_FIRST', 'QUALITY_FIRST', 'BALANCED', 'CHEAPEST_FIRST', 'EMERGENCY_ONLY']);
  });
});
