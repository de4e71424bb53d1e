/** How a refund ended without the money reaching the customer, and why (Stripe's failure_reason). */
export interface RefundEnd {
  readonly status: 'failed' | 'canceled';
  readonly reason: string;
}

/**
 * One Stripe Refund, or a Dispute the bank decided (ADR 0156), as far as the credit it takes
 * back depends on it.
 */
export interface RefundFact {
  /** The Refund's id, or the Dispute's: one take-back each. */
  readonly refundId: string;
  /** A dispute never adopts a refund entry of ADR 0028, and one first seen won records nothing. */
  readonly source: 'refund' | 'dispute';
  /** In the charge's currency and minor units. */
  readonly minor: number;
  readonly currency: string;
  /** Null while the money is on its way or arrived (pending, requires_action, succeeded). */
  readonly ended: RefundEnd | null;
  /** Seconds since the epoch, to apply a charge's refunds in the order they were made. */
  readonly created: number;
}

/** The Stripe events whose object is a Refund. */
export const REFUND_EVENT_TYPES: ReadonlySet<string> = new Set([
  'refund.created',
  'refund.updated',
  'refund.failed',
  'charge.refund.updated',
]);

/** A Refund object, or undefined when it lacks what a refund must have. */
export function refundFactOf(object: unknown): RefundFact | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const refund = object as Record<string, unknown>;
  const { id, amount, currency, status } = refund;
  if (typeof id !== 'string' || id === '' || typeof currency !== 'string') return undefined;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) return undefined;
  const reason = refund['failure_reason'];
  const ended: RefundEnd | null =
    status === 'failed' || status === 'canceled'
      ? { status, reason: typeof reason === 'string' && reason !== '' ? reason : status }
      : null;
  return {
    refundId: id,
    source: 'refund',
    minor: amount,
    currency,
    ended,
    created: typeof refund['created'] === 'number' ? refund['created'] : 0,
  };
}

/** The Stripe events whose object is a Dispute. */
export const DISPUTE_EVENT_TYPES: ReadonlySet<string> = new Set([
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
]);

/**
 * A Dispute as a take-back (ADR 0156): lost, a refund of its amount that went through; won, one
 * that ended (it gives back what a loss took, as after a lost appeal). Undefined while the bank
 * has not decided, or for one closed as an inquiry: it takes nothing.
 */
export function disputeFactOf(object: unknown): RefundFact | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const dispute = object as Record<string, unknown>;
  const { id, amount, currency, status } = dispute;
  if (typeof id !== 'string' || id === '' || typeof currency !== 'string') return undefined;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) return undefined;
  if (status !== 'lost' && status !== 'won') return undefined;
  return {
    refundId: id,
    source: 'dispute',
    minor: amount,
    currency,
    ended: status === 'won' ? { status: 'canceled', reason: 'dispute_won' } : null,
    created: typeof dispute['created'] === 'number' ? dispute['created'] : 0,
  };
}

/**
 * The refunds a Charge lists, when it lists all of them: API versions before 2022-11-15 (or an
 * endpoint that expands them) do; later ones list none, and they are read from Stripe.
 */
export function listedRefundsOf(charge: Record<string, unknown>): RefundFact[] | undefined {
  const list = charge['refunds'];
  if (typeof list !== 'object' || list === null) return undefined;
  const { data, has_more: hasMore } = list as { data?: unknown; has_more?: unknown };
  if (!Array.isArray(data) || hasMore !== false) return undefined;
  const refunds = data.map(refundFactOf);
  return refunds.every((refund): refund is RefundFact => refund !== undefined)
    ? refunds
    : undefined;
}
