import { MESSAGING_MIGRATIONS } from '@tally/messaging';
import { CreateAdmin1764720000100 } from './1764720000100-create-admin.migration';
import { DeadLetters1764720000200 } from './1764720000200-dead-letters.migration';
import { PercentsBeyondAnInteger1765036800100 } from './1765036800100-percents-beyond-an-integer.migration';
import { UsageRollupsCountLedgerLines1765100000100 } from './1765100000100-usage-rollups-count-ledger-lines.migration';
import { TopUpStatusPauseReason1765110000100 } from './1765110000100-topup-status-pause-reason.migration';
import { PaymentsNameTheRefundTheyRestore1765260000100 } from './1765260000100-payments-name-the-refund-they-restore.migration';
import { PaymentsFoundByTime1765300000100 } from './1765300000100-payments-found-by-time.migration';
import { AccountDaysFoundByDay1765300000200 } from './1765300000200-account-days-found-by-day.migration';
import { TransactionsFoundByKind1765300000300 } from './1765300000300-transactions-found-by-kind.migration';

/** Every migration of admin's schema, in order. */
export const ADMIN_MIGRATIONS = [
  ...MESSAGING_MIGRATIONS,
  CreateAdmin1764720000100,
  DeadLetters1764720000200,
  PercentsBeyondAnInteger1765036800100,
  UsageRollupsCountLedgerLines1765100000100,
  TopUpStatusPauseReason1765110000100,
  PaymentsNameTheRefundTheyRestore1765260000100,
  PaymentsFoundByTime1765300000100,
  AccountDaysFoundByDay1765300000200,
  TransactionsFoundByKind1765300000300,
];
