import type { Decimal } from 'decimal.js';

/** How far through its funds an account is (DESIGN 4): the levels alerts fire at. */
export const ALERT_LEVELS = ['GREEN', 'YELLOW', 'ORANGE', 'RED', 'CRITICAL'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export type RecommendedStrategy =
  'QUALITY_FIRST' | 'BALANCED' | 'CHEAPEST_FIRST' | 'EMERGENCY_ONLY';

/** GREEN < 50 <= YELLOW < 75 <= ORANGE < 90 <= RED < 100 <= CRITICAL, by percent of funds spent. */
export function alertLevelFor(spendPercent: Decimal): AlertLevel {
  if (spendPercent.greaterThanOrEqualTo(100)) return 'CRITICAL';
  if (spendPercent.greaterThanOrEqualTo(90)) return 'RED';
  if (spendPercent.greaterThanOrEqualTo(75)) return 'ORANGE';
  if (spendPercent.greaterThanOrEqualTo(50)) return 'YELLOW';
  return 'GREEN';
}

export function recommendedStrategyFor(level: AlertLevel): RecommendedStrategy {
  switch (level) {
    case 'GREEN':
    case 'YELLOW':
      return 'QUALITY_FIRST';
    case 'ORANGE':
      return 'BALANCED';
    case 'RED':
      return 'CHEAPEST_FIRST';
    case 'CRITICAL':
      return 'EMERGENCY_ONLY';
  }
}
