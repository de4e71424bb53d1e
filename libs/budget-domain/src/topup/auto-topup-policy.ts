import { Decimal } from 'decimal.js';

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
  /** Sum of successful automatic charges this calendar month. */
  readonly autoChargedThisMonth: Decimal;
  readonly lastSuccessfulAutoTopUpAt?: Date;
  readonly pendingTopUp: boolean;
  /** Set after a failed or action-requiring charge, until the tenant fixes the payment method. */
  readonly paused: boolean;
}

export type AutoTopUpRefusal =
  | 'above_trigger'
  | 'disabled'
  | 'paused'
  | 'no_payment_method'
  | 'pending'
  | 'cooldown'
  | 'monthly_limit_reached';

export type AutoTopUpDecision =
  | { decision: 'charge'; amount: Decimal; currency: string; creditAmount: Decimal }
  | { decision: 'refuse'; reason: AutoTopUpRefusal };

const COOLDOWN_MS = 24 * 3_600_000;

/**
 * Whether a balance change should trigger an off-session charge. Exactly one reason when
 * not, checked in this order: above trigger, disabled, paused, no customer or payment
 * method, a pending top-up, a successful one in the last 24 h, the monthly limit.
 */
export function decideAutoTopUp(
  settings: AutoTopUpSettings,
  facts: AutoTopUpFacts,
  availablePercent: Decimal,
  now: Date,
): AutoTopUpDecision {
  if (availablePercent.greaterThanOrEqualTo(settings.triggerBelowPercent))
    return refuse('above_trigger');
  if (!settings.enabled) return refuse('disabled');
  if (facts.paused) return refuse('paused');
  if (!facts.hasCustomer || !facts.hasPaymentMethod) return refuse('no_payment_method');
  if (facts.pendingTopUp) return refuse('pending');
  if (
    facts.lastSuccessfulAutoTopUpAt &&
    now.getTime() - facts.lastSuccessfulAutoTopUpAt.getTime() < COOLDOWN_MS
  ) {
    return refuse('cooldown');
  }
  if (facts.autoChargedThisMonth.plus(settings.packAmount).greaterThan(settings.monthlyAutoLimit)) {
    return refuse('monthly_limit_reached');
  }
  return {
    decision: 'charge',
    amount: settings.packAmount,
    currency: settings.packCurrency,
    creditAmount: settings.creditAmount,
  };
}

function refuse(reason: AutoTopUpRefusal): AutoTopUpDecision {
  return { decision: 'refuse', reason };
}
