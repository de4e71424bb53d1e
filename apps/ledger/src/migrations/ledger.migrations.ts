import { MESSAGING_MIGRATIONS } from '@tally/messaging';
import { CreateLedger1763856000100 } from './1763856000100-create-ledger.migration';
import { CreateKeysAndReservations1763856000200 } from './1763856000200-keys-and-reservations.migration';
import { AccountsOpenedByPayment1763856000300 } from './1763856000300-accounts-opened-by-payment.migration';
import { CreateBudgets1763856000400 } from './1763856000400-create-budgets.migration';
import { AccountHoldsVersion1763856000500 } from './1763856000500-account-holds-version.migration';
import { PostingsWithoutForeignKeys1763856000600 } from './1763856000600-postings-without-foreign-keys.migration';
import { HeldTotalsPerKey1763856000700 } from './1763856000700-held-totals-per-key.migration';
import { ApiKeysFoundBySecretHash1763856000800 } from './1763856000800-api-keys-found-by-secret-hash.migration';
import { UsageLines1763856000900 } from './1763856000900-usage-lines.migration';
import { PlansAndCoupons1763856001000 } from './1763856001000-plans-and-coupons.migration';
import { TopUpStatus1763856002700 } from './1763856002700-topup-status.migration';
import { UsageLinesKeepOneIndex1763856002800 } from './1763856002800-usage-lines-keep-one-index.migration';
import { AccountFactsVersions1763856002900 } from './1763856002900-account-facts-versions.migration';
import { HoldPathRulesAreDomains1763856003000 } from './1763856003000-hold-path-rules-are-domains.migration';
import { ReservationsWithoutAForeignKey1763856003100 } from './1763856003100-reservations-without-a-foreign-key.migration';
import { BudgetsCountOveragePerPeriod1763856003200 } from './1763856003200-budgets-count-overage-per-period.migration';
import { BalanceSequencesAreFactsVersions1763856003300 } from './1763856003300-balance-sequences-are-facts-versions.migration';
import { AnnouncedHolds1763856003460 } from './1763856003460-announced-holds.migration';
import { ReservationsKeepTheirRequest1763856003627 } from './1763856003627-reservations-keep-their-request.migration';
import { BudgetsFoundByPeriodEnd1763856003871 } from './1763856003871-budgets-found-by-period-end.migration';
import { BudgetsCountUsageFromEarlier1763856003872 } from './1763856003872-budgets-count-usage-from-earlier.migration';
import { EndedHoldsFoundByExpiry1763856003900 } from './1763856003900-ended-holds-found-by-expiry.migration';

/** Every migration of the ledger's schema, in order. */
export const LEDGER_MIGRATIONS = [
  ...MESSAGING_MIGRATIONS,
  CreateLedger1763856000100,
  CreateKeysAndReservations1763856000200,
  AccountsOpenedByPayment1763856000300,
  CreateBudgets1763856000400,
  AccountHoldsVersion1763856000500,
  PostingsWithoutForeignKeys1763856000600,
  HeldTotalsPerKey1763856000700,
  ApiKeysFoundBySecretHash1763856000800,
  UsageLines1763856000900,
  PlansAndCoupons1763856001000,
  TopUpStatus1763856002700,
  UsageLinesKeepOneIndex1763856002800,
  AccountFactsVersions1763856002900,
  HoldPathRulesAreDomains1763856003000,
  ReservationsWithoutAForeignKey1763856003100,
  BudgetsCountOveragePerPeriod1763856003200,
  BalanceSequencesAreFactsVersions1763856003300,
  AnnouncedHolds1763856003460,
  ReservationsKeepTheirRequest1763856003627,
  BudgetsFoundByPeriodEnd1763856003871,
  BudgetsCountUsageFromEarlier1763856003872,
  EndedHoldsFoundByExpiry1763856003900,
];
