export { Topics } from './topics';
export type { TopicName } from './topics';

export {
  AMOUNT_SCALE,
  InvalidAmountError,
  formatAmount,
  isDecimalString,
  parseAmount,
} from './money/amount';
export {
  BOOKS_CURRENCY,
  UnknownCurrencyError,
  chargeableDecimalsOf,
  minorUnitsOf,
  presentBooksAmount,
  presentMoney,
  toMinorUnits,
} from './money/currency';
export { MAX_CREDIT_GRANT, creditGrantAmount } from './credit/credit-grant';

export { describeIssue } from './events/parse-result';
export { DEAD_LETTER_REASONS } from './events/parse-result';
export type { DeadLetterReason, ParseResult } from './events/parse-result';
export { deadLetterSchema, parseDeadLetter } from './events/dead-letter';
export type { DeadLetterRecord } from './events/dead-letter';
export {
  IDENTIFIER_MAX_LENGTH,
  POWER_LEVELS,
  QUANTITY_LIMITS,
  USAGE_SERVICES,
  parseUsageEvent,
  usageDedupKey,
} from './events/usage-event';
export type {
  PowerLevel,
  UsageData,
  UsageEvent,
  UsageEventLimits,
  UsageService,
} from './events/usage-event';
export { parseUsageRated, usageRatedSchema, usageTokens } from './events/usage-rated';
export type { CostBreakdown, UsageRated } from './events/usage-rated';
export {
  balanceChangedSchema,
  exactAvailablePercentOf,
  parseBalanceChanged,
} from './events/balance-changed';
export type { BalanceChanged } from './events/balance-changed';
export { ledgerTransactionSchema, parseLedgerTransaction } from './events/ledger-transaction';
export type { LedgerTransaction } from './events/ledger-transaction';
export {
  PAYMENT_KINDS,
  PAYMENT_TRIGGERS,
  parsePaymentEvent,
  paymentEventSchema,
} from './events/payment-event';
export type { PaymentEvent, PaymentKind, PaymentTrigger } from './events/payment-event';
export { ALERT_KINDS, alertFiredSchema, parseAlertFired } from './events/alert-fired';
export type { AlertFired, AlertKind } from './events/alert-fired';
export {
  AUTO_TOPUP_PAUSE_REASONS,
  AUTO_TOPUP_STATES,
  parseTopUpStatusChanged,
  topUpStatusChangedSchema,
} from './events/topup-status-changed';
export type {
  AutoTopUpPauseReason,
  AutoTopUpState,
  TopUpStatusChanged,
} from './events/topup-status-changed';
export {
  MAX_EVENT_AMOUNT,
  SCHEMA_VERSION,
  isTimestamp,
  nonNegativeAmountString,
  plainText,
  storableText,
  timestampMs,
} from './events/wire';

export { deriveProvider } from './rating/provider';
export {
  MINIMAL_FALLBACK_PRICES,
  PriceCatalog,
  SERVICE_FALLBACK_PRICES,
  localEntry,
} from './rating/price-catalog';
export type {
  CatalogEntry,
  CatalogMeta,
  ModelPrices,
  PriceLookup,
  TieredPrice,
} from './rating/price-catalog';
export { GENAI_PRICES_VERSION, genaiPricesEntries } from './rating/genai-prices.catalog';
export { LOCAL_ENTRIES, defaultCatalog } from './rating/default-catalog';
export {
  DEFAULT_POWER_LEVEL_MULTIPLIERS,
  ENTERPRISE_VOLUME_TIERS,
  estimateCall,
  estimateCost,
  rateUsage,
} from './rating/rate-usage';
export type { CallEstimate, RatingContext, VolumeDiscountTier } from './rating/rate-usage';

export { ALERT_LEVELS, alertLevelFor, recommendedStrategyFor } from './budget/alert-level';
export type { AlertLevel, RecommendedStrategy } from './budget/alert-level';
export { allocateSpend } from './budget/spend-allocation';
export type { SpendAllocation, SpendSources } from './budget/spend-allocation';
export { EMPTY_CREDIT_POOLS, changeCredit, spendCredit } from './budget/credit-attribution';
export type { CreditPools, CreditSource, CreditSpend } from './budget/credit-attribution';
export {
  DEFAULT_SOFT_LIMIT_PERCENT,
  computeBudgetStatus,
  presentPercent,
} from './budget/budget-status';
export type { BalanceFacts, BudgetStatus } from './budget/budget-status';
export { InvalidCatalogError, parseCatalogFile } from './rating/catalog-file';
export {
  assertPeriodRule,
  daysRemaining,
  nextPeriod,
  periodAt,
  periodDays,
  InvalidPeriodRuleError,
} from './budget/budget-period';
export type { Period, PeriodKind, PeriodRule } from './budget/budget-period';
export {
  BUDGET_DEFAULTS,
  InvalidBudgetError,
  ONE_ROLLOVER_NAME,
  assertBudget,
  budgetValidity,
  namesRolloverOnce,
  withRolloverMaxPercent,
} from './budget/budget-definition';
export type { BudgetDefinition, BudgetValidity } from './budget/budget-definition';
export {
  changeTerms,
  openingState,
  proratedLimit,
  restartPeriod,
  rollToPeriod,
  samePeriodRule,
} from './budget/period-reset';
export type { PeriodReset, PeriodState } from './budget/period-reset';
export { DEFAULT_AFFORDABILITY_CAPS, checkAffordability } from './budget/affordability';
export type {
  Affordability,
  AffordabilityCaps,
  MonthlyCapFacts,
  RefusalCode,
  SpendLimits,
} from './budget/affordability';
export { countingStartMs, projectedPeriodCost } from './budget/projection';
export {
  AUTO_TOPUP_COOLDOWN_MS,
  AUTO_TOPUP_DEFAULTS,
  autoTopUpStatus,
  checkAutoTopUp,
  decideAutoTopUp,
  monthStartOf,
} from './topup/auto-topup-policy';
export type {
  AutoTopUpDecision,
  AutoTopUpFacts,
  AutoTopUpRefusal,
  AutoTopUpSettings,
  AutoTopUpStatus,
} from './topup/auto-topup-policy';
export { autoTopUpRefusal } from './topup/auto-topup-refusal';
export type { AutoTopUpRefusalCode } from './topup/auto-topup-refusal';
export {
  DEFAULT_CREDIT_RATES,
  InvalidCreditRateError,
  UnsupportedCurrencyError,
  creditForPayment,
  creditRefunded,
  paidRefunded,
  parseCreditRate,
} from './topup/credit-rate';
export type { CreditRate, StripeRefunded } from './topup/credit-rate';

export {
  BALANCE_ALERT_KINDS,
  UNKNOWN_STANDING,
  balanceConditions,
  projectedOverrun,
  spendPercentOf,
  standingOf,
  subjectOf,
} from './alerting/alert-conditions';
export type { AccountStanding, AlertCondition } from './alerting/alert-conditions';
export { firedAlert, reconcileAlerts, resolvedAlert } from './alerting/alert-resolution';
export type { ActiveAlert, AlertChanges, ConditionToFire } from './alerting/alert-resolution';
export {
  InvalidThresholdError,
  customThresholdKey,
  parseCustomThreshold,
  presentCustomThreshold,
} from './alerting/custom-threshold';
export type { CustomThreshold } from './alerting/custom-threshold';
export {
  DEFAULT_SPEND_ANOMALY_RULE,
  anomalyCondition,
  anomalyHolds,
  assessHourlySpend,
  hourOf,
} from './alerting/spend-anomaly';
export type { HourlySpend, SpendAnomalyRule, SpendAssessment } from './alerting/spend-anomaly';
export {
  autoTopUpFailureConditions,
  autoTopUpPausedConditions,
} from './alerting/auto-topup-alerts';
export { DEFAULT_RETRY_POLICY, nextRetryDelayMs } from './alerting/delivery-retry';
export type { RetryPolicy } from './alerting/delivery-retry';

export {
  FREE_PLAN,
  InvalidPlanError,
  MAX_MARKUP_PERCENT,
  MAX_VOLUME_TIERS,
  assertPlan,
  includedAllowanceBudget,
  isFreeModel,
} from './plans/plan';
export type { Plan } from './plans/plan';
export { calendarMonthOf, chargeUsage, volumePercentOf } from './plans/plan-charge';
export type { ChargeTerms, UsageCharge, UsageToCharge } from './plans/plan-charge';
export {
  InvalidCouponError,
  MAX_COUPON_CREDIT,
  MAX_COUPON_DAYS,
  assertCoupon,
  couponPercentInForce,
  discountEndsAt,
  isCouponCode,
  normalizeCouponCode,
  redemptionRefusal,
} from './plans/coupon';
export type { CouponDefinition, CouponGift, CouponRefusal, RedemptionFacts } from './plans/coupon';
export {
  couponCode,
  couponTerms,
  monthlyCapTerms,
  planName,
  planTerms,
} from './plans/plan-commands';
export { maskStripeRef } from './topup/stripe-ref';
