import { Decimal } from 'decimal.js';

/**
 * The least Stripe charges in a currency, from its currency guide's "minimum and maximum
 * charge amounts". KRW, CLP, BHD, KWD and JOD are not in that table: Stripe takes the
 * equivalent of 0.50 USD at the day's rate there, which no fixed figure here can know.
 */
const STRIPE_MINIMUM_CHARGE: Readonly<Record<string, string>> = {
  USD: '0.50',
  EUR: '0.50',
  CHF: '0.50',
  GBP: '0.30',
  CAD: '0.50',
  AUD: '0.50',
  BRL: '0.50',
  INR: '0.50',
  DKK: '2.50',
  NOK: '3.00',
  SEK: '3.00',
  PLN: '2.00',
  JPY: '50',
};

/** Stripe's minimum charge in the currency, as written in its guide; undefined where it lists none. */
export function stripeMinimumCharge(
  currency: string,
): { amount: Decimal; text: string } | undefined {
  const text = STRIPE_MINIMUM_CHARGE[currency];
  return text === undefined ? undefined : { amount: new Decimal(text), text };
}
