export { Topics } from './topics';
export type { TopicName } from './topics';

export { Money, CurrencyMismatchError } from './money/money';
export {
  AMOUNT_SCALE,
  InvalidAmountError,
  formatAmount,
  isDecimalString,
  parseAmount,
} from './money/amount';
export { UnknownCurrencyError, minorUnitsOf } from './money/currency';

export { describeIssue } from './events/parse-result';
export type { DeadLetterReason, ParseResult } from './events/parse-result';
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
export { parseUsageRated, usageRatedSchema } from './events/usage-rated';
export type { CostBreakdown, UsageRated } from './events/usage-rated';
export {
  ALERT_LEVELS,
  parseAlertFired,
  parseBalanceChanged,
  parseLedgerTransaction,
  parsePaymentEvent,
} from './events/ledger-events';
export type {
  AlertFired,
  AlertLevel,
  BalanceChanged,
  LedgerTransaction,
  PaymentEvent,
} from './events/ledger-events';
export { SCHEMA_VERSION, nonNegativeAmountString } from './events/wire';

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
  estimateCost,
  rateUsage,
} from './rating/rate-usage';
export type { CallEstimate, RatingContext, VolumeDiscountTier } from './rating/rate-usage';

export { alertLevelFor, recommendedStrategyFor } from './budget/alert-level';
export type { RecommendedStrategy } from './budget/alert-level';
export { allocateSpend } from './budget/spend-allocation';
export type { SpendAllocation, SpendSources } from './budget/spend-allocation';
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
  assertBudget,
  budgetValidity,
} from './budget/budget-definition';
export type { BudgetDefinition, BudgetValidity } from './budget/budget-definition';
export {
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
  RefusalCode,
  SpendLimits,
} from './budget/affordability';
export { projectedPeriodCost } from './budget/projection';
export { AUTO_TOPUP_DEFAULTS, decideAutoTopUp } from './topup/auto-topup-policy';
export type {
  AutoTopUpDecision,
  AutoTopUpFacts,
  AutoTopUpRefusal,
  AutoTopUpSettings,
} from './topup/auto-topup-policy';
export {
  DEFAULT_CREDIT_RATES,
  UnsupportedCurrencyError,
  creditForPayment,
} from './topup/credit-rate';
export type { CreditRate } from './topup/credit-rate';
