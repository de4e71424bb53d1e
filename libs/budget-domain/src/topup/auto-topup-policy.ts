import { Decimal } from 'decimal.js';
import type { AutoTopUpPauseReason, AutoTopUpState } from '../events/topup-status-changed';

export interface AutoTopUpSettings {
  readonly enabled: boolean;
  /** Charged per top-up, in the paid currency. */
  readonly packAmount: Decimal;
  readonly packCurrency: string;
  /** Credit granted per top-up. */
  readonly creditAmount: Decimal;
  /** Top up when available_percent falls below this. */
  readonly triggerBelowPercent: Decimal;
  /** Automatic charges per calendar month (UTC) at most, in the paid currency; manual top-ups do not count. */
  readonly monthlyAutoLimit: Decimal;
}

export const AUTO_TOPUP_DEFAULTS: AutoTopUpSettings = {
  enabled: false,
  packAmount: new Decimal(30),
  packCurrency: 'CHF',
  creditAmount: new Decimal(10),
  triggerBelowPercent: new Decimal(5),
  monthlyAutoLimit: new Decimal(300),
};

/** What the top-up service knows about the account's payments. */
export interface AutoTopUpFacts {
  readonly hasCustomer: boolean;
  readonly hasPaymentMethod: boolean;
  /**
   * Sum of successful automatic charges decided this calendar month (UTC), in the paid currency,
   * whenever they settled (ADR 0172).
   */
  readonly autoChargedThisMonth: Decimal;
  readonly lastSuccessfulAutoTopUpAt?: Date | undefined;
  /** An automatic charge decided and not yet settled (Stripe may report it `processing`). */
  readonly pendingTopUp: boolean;
  readonly pendingSince?: Date | undefined;
  /**
   * Set after a failed or action-requiring charge, or a payment's dispute lost (ADR 0157), until
   * a new payment method or a re-enable.
   */
  readonly paused: boolean;
  /** Why it is paused; a failed charge unless told. */
  readonly pauseReason?: AutoTopUpPauseReason | undefined;
}

export type AutoTopUpRefusal =
  | 'above_trigger'
  | 'disabled'
  | 'no_payment_method'
  | 'paused'
  | 'pending'
  | 'monthly_limit_reached'
  | 'cooldown';

export type AutoTopUpDecision =
  | { decision: 'charge'; amount: Decimal; currency: string; creditAmount: Decimal }
  | { decision: 'refuse'; reason: AutoTopUpRefusal };

export const AUTO_TOPUP_COOLDOWN_MS = 24 * 3_600_000;

/**
 * Whether a balance change should trigger an off-session charge. Below the trigger, the first
 * reason that applies refuses, in DESIGN 4's order: disabled, no customer or payment method,
 * one pending, the monthly automatic limit (this month's automatic charges + this pack above
 * it), a successful automatic top-up in the last 24 h. A pause after a failed charge comes
 * right after the payment method: it is the payment method that failed.
 */
export function decideAutoTopUp(
  settings: AutoTopUpSettings,
  facts: AutoTopUpFacts,
  availablePercent: Decimal,
  now: Date,
): AutoTopUpDecision {
  if (availablePercent.greaterThanOrEqualTo(settings.triggerBelowPercent))
    return refuse('above_trigger');
  return checkAutoTopUp(settings, facts, now);
}

/** The decision as if the balance were below the trigger: what would stop a top-up now. */
export function checkAutoTopUp(
  settings: AutoTopUpSettings,
  facts: AutoTopUpFacts,
  now: Date,
): AutoTopUpDecision {
  if (!settings.enabled) return refuse('disabled');
  if (!facts.hasCustomer || !facts.hasPaymentMethod) return refuse('no_payment_method');
  if (facts.paused) return refuse('paused');
  if (facts.pendingTopUp) return refuse('pending');
  if (facts.autoChargedThisMonth.plus(settings.packAmount).greaterThan(settings.monthlyAutoLimit)) {
    return refuse('monthly_limit_reached');
  }
  const cooldownUntil = cooldownEnd(facts);
  if (cooldownUntil && now.getTime() < cooldownUntil.getTime()) return refuse('cooldown');
  return {
    decision: 'charge',
    amount: settings.packAmount,
    currency: settings.packCurrency,
    creditAmount: settings.creditAmount,
  };
}

/** An account's auto top-up as topup.status-changed announces it (DESIGN 3.6). */
export interface AutoTopUpStatus {
  readonly enabled: boolean;
  readonly state: AutoTopUpState;
  readonly pendingSince: Date | null;
  readonly cooldownUntil: Date | null;
  readonly monthAutoPaid: Decimal;
  readonly monthlyLimit: Decimal;
  readonly paidCurrency: string;
  /** Why the state is `paused`; null in every other state. */
  readonly pauseReason: AutoTopUpPauseReason | null;
}

/**
 * The state readers act on: `pending` while a charge is in flight, whatever the settings say
 * (its credit is coming); otherwise what would refuse a top-up now (`idle` when nothing
 * would, or when auto top-up is off).
 */
export function autoTopUpStatus(
  settings: AutoTopUpSettings,
  facts: AutoTopUpFacts,
  now: Date,
): AutoTopUpStatus {
  const cooldownUntil = cooldownEnd(facts);
  const state = facts.pendingTopUp ? 'pending' : stateOf(checkAutoTopUp(settings, facts, now));
  return {
    enabled: settings.enabled,
    state,
    pendingSince: facts.pendingTopUp ? (facts.pendingSince ?? now) : null,
    cooldownUntil: cooldownUntil && cooldownUntil.getTime() > now.getTime() ? cooldownUntil : null,
    monthAutoPaid: facts.autoChargedThisMonth,
    monthlyLimit: settings.monthlyAutoLimit,
    paidCurrency: settings.packCurrency,
    pauseReason: state === 'paused' ? (facts.pauseReason ?? 'charge_failed') : null,
  };
}

/** The first instant of the calendar month (UTC) `now` falls in: the monthly limit's window. */
export function monthStartOf(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

function stateOf(decision: AutoTopUpDecision): AutoTopUpState {
  if (decision.decision === 'charge') return 'idle';
  switch (decision.reason) {
    case 'above_trigger':
    case 'disabled':
      return 'idle';
    case 'no_payment_method':
    case 'paused':
    case 'pending':
    case 'monthly_limit_reached':
    case 'cooldown':
      return decision.reason;
  }
}

function cooldownEnd(facts: AutoTopUpFacts): Date | undefined {
  return facts.lastSuccessfulAutoTopUpAt
    ? new Date(facts.lastSuccessfulAutoTopUpAt.getTime() + AUTO_TOPUP_COOLDOWN_MS)
    : undefined;
}

function refuse(reason: AutoTopUpRefusal): AutoTopUpDecision {
  return { decision: 'refuse', reason };
}
