/**
 * A Stripe reference as a tenant may see it: its type prefix and last four characters
 * ("cs_test_…a1b2"), enough to match it with a receipt, never enough to act on it.
 */
export function maskStripeRef(ref: string | null): string | null {
  if (ref === null || ref === '') return null;
  const prefix = /^[a-z]{2,8}_(?:test_|live_)?/.exec(ref)?.[0] ?? '';
  const rest = ref.slice(prefix.length);
  return rest.length <= 4 ? `${prefix}…` : `${prefix}…${rest.slice(-4)}`;
}
