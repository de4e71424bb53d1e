/**
 * Stripe references as a tenant sees them: the object prefix and the last four characters
 * (`pi_...abcd`), enough to match a receipt, not enough to act on. Top-up shows its history
 * so, admin the payments it projects.
 */
export function maskStripeRef(id: string | null | undefined): string | null {
  if (!id) return null;
  const underscore = id.indexOf('_');
  const prefix = underscore > 0 && underscore <= 8 ? id.slice(0, underscore + 1) : '';
  return `${prefix}...${id.slice(-4)}`;
}
