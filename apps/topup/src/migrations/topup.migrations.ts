import { MESSAGING_MIGRATIONS } from '@tally/messaging';
import { CreateTopUp1763856002600 } from './1763856002600-create-topup.migration';
import { AutoTopUpKeepsTheLastBalance1765033200000 } from './1765033200000-auto-topup-keeps-the-last-balance.migration';
import { AutoTopUpKeepsEveryAccountsLastBalance1765040400000 } from './1765040400000-auto-topup-keeps-every-accounts-last-balance.migration';
import { RefundsAreKeptByTheirStripeId1765119600000 } from './1765119600000-refunds-are-kept-by-their-stripe-id.migration';
import { APauseNamesTheChargeThatFailed1765166400000 } from './1765166400000-a-pause-names-the-charge-that-failed.migration';

/** Every migration of top-up's schema, in order. */
export const TOPUP_MIGRATIONS = [
  ...MESSAGING_MIGRATIONS,
  CreateTopUp1763856002600,
  AutoTopUpKeepsTheLastBalance1765033200000,
  AutoTopUpKeepsEveryAccountsLastBalance1765040400000,
  RefundsAreKeptByTheirStripeId1765119600000,
  APauseNamesTheChargeThatFailed1765166400000,
];
