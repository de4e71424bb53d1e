// Shapes of admin's REST API (DESIGN 5) as the dashboard reads them. Amounts are decimal
// strings; fields the contract leaves open are optional and shown only when present.

export const ALERT_LEVELS = ['GREEN', 'YELLOW', 'ORANGE', 'RED', 'CRITICAL'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** The latest ledger.balance-changed admin holds for an account (DESIGN 3.3). */
export interface Balance {
  period?: { start?: string | null; end?: string | null } | null;
  allowance?: string;
  used?: string;
  remaining?: string;
  extra_credit_remaining?: string;
  available?: string;
  available_percent?: number;
  alert_level?: AlertLevel;
  overage?: string;
  at?: string;
}

export interface Account {
  account_id: string;
  name?: string | null;
  currency?: string;
  tier?: string | null;
  status?: string;
  created_at?: string;
  /** The balance snapshot, null before the ledger announced any (a flat amount is read too). */
  balance?: Balance | string | null;
  available?: string;
  used?: string;
  available_percent?: number;
  alert_level?: AlertLevel;
}

export interface BudgetStatus {
  used?: string;
  remaining?: string;
  extra_credit_remaining?: string;
  available?: string;
  available_percent?: number;
  alert_level?: AlertLevel;
  recommended_strategy?: string;
  days_remaining?: number | null;
  projected_period_cost?: string | null;
  over_soft_limit?: boolean;
  over_hard_limit?: boolean;
  overage?: string;
  period?: { start?: string; end?: string } | null;
}

export const TRANSACTION_KINDS = [
  'usage',
  'grant',
  'bonus',
  'refund',
  'purchase',
  'purchase_refund',
  'coupon',
  'allowance_issue',
  'allowance_expiry',
  'allowance_withdrawal',
] as const;

export interface Funding {
  allowance?: string;
  credit?: string;
  bonus?: string;
  overage?: string;
}

export interface Transaction {
  transaction_id: string;
  kind: string;
  amount: string;
  posted_at: string;
  funding?: Funding | null;
  reason?: string;
}

export const USAGE_GROUPS = ['day', 'model', 'provider', 'api_key', 'service'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

export interface UsageRow {
  day?: string;
  model?: string;
  provider?: string;
  api_key?: string;
  api_key_id?: string;
  service?: string;
  cost: string;
  tokens?: number | string;
  requests?: number | string;
}

export interface TopupEntry {
  id: string;
  kind: string;
  trigger?: string;
  credit_amount?: string;
  paid_amount?: string;
  paid_currency?: string;
  stripe_ref?: string | null;
  status?: string;
  at?: string;
}

/** A payment as payments.events announced it, from admin's own projection. */
export interface Payment {
  payment_id: string;
  kind: string;
  trigger?: string;
  credit_amount?: string;
  paid_amount?: string;
  paid_currency?: string;
  stripe_ref?: string | null;
  /** On a credit_purchased that gives back a failed or canceled refund's credit: that refund. */
  restores_refund?: string | null;
  at?: string;
}

export interface Checkout {
  checkout_url: string;
  session_id?: string;
  credit_amount?: string;
  paid_amount?: string;
  paid_currency?: string;
  dry_run?: boolean;
}

export interface Alert {
  id?: string;
  alert_id?: string;
  api_key_id?: string | null;
  kind: string;
  state?: string;
  level?: string;
  percent?: number;
  amount?: string;
  message?: string;
  at?: string;
}

export interface TopSpender {
  account_id: string;
  name?: string;
  spend: string;
}

/** The system summary: the contract names no fields, so it is shown as it comes. */
export type Summary = Record<string, unknown>;

export interface ErrorBody {
  error_code?: string;
  message?: string;
}
