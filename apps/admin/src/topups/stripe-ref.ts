/**
 * A Stripe reference as a tenant may see it, as topup shows them: the object prefix and the
 * last four characters (`pi_...abcd`), enough to match a receipt, never enough to act on.
 */
export function maskStripeRef(ref: string | null | undefined): string | null {
  if (!ref) return null;
  const underscore = ref.indexOf('_');
  const prefix = underscore > 0 && underscore <= 8 ? ref.slice(0, underscore + 1) : '';
  return `${prefix}...${ref.slice(-4)}`;
}
