import { MESSAGING_MIGRATIONS } from '@tally/messaging';
import { CreateAlerting1764662400000 } from './1764662400000-create-alerting.migration';
import { BalancePercentUnbounded1764662400100 } from './1764662400100-balance-percent-unbounded.migration';

/** Every migration of alerting's schema, in order. */
export const ALERTING_MIGRATIONS = [
  ...MESSAGING_MIGRATIONS,
  CreateAlerting1764662400000,
  BalancePercentUnbounded1764662400100,
];
