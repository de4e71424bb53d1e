import { maskStripeRef } from '@tally/budget-domain';

// Shared with admin, which masks the payments it projects the same way.
export { maskStripeRef };

/**
 * The id of a Stripe reference that may arrive as an id, an expanded object, or a JSON string
 * of one (as some forwarders and older API versions send it); null when there is none.
 */
export function stripeIdOf(value: unknown): string | null {
  if (typeof value === 'string') {
    const text = value.trim();
    if (text.startsWith('{')) {
      try {
        return stripeIdOf(JSON.parse(text) as unknown);
      } catch {
        return null;
      }
    }
    return text === '' ? null : text;
  }
  if (typeof value === 'object' && value !== null && 'id' in value) {
    const id = (value as { id: unknown }).id;
    return typeof id === 'string' && id !== '' ? id : null;
  }
  return null;
}

/** An object's metadata, its text values only. */
export function metadataOf(object: Record<string, unknown>): Record<string, string> {
  const metadata = object['metadata'];
  if (typeof metadata !== 'object' || metadata === null) return {};
  return Object.fromEntries(
    Object.entries(metadata as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** The top-up entry a payment's metadata names (what top-up puts on every payment it makes). */
export function entryNamedIn(
  metadata: Record<string, string>,
): { accountId: string; entryId: string } | undefined {
  const accountId = metadata['account_id'];
  const entryId = metadata['entry_id'];
  return accountId && entryId ? { accountId, entryId } : undefined;
}

/** A text fit for logs: payment method ids masked, client secrets and keys cut off. */
export function redactStripeText(text: string): string {
  return text
    .replace(/\b(pi|seti)_[A-Za-z0-9]+_secret_[A-Za-z0-9]+/g, '$1_…_secret_…')
    .replace(/\b(pm|card|src)_[A-Za-z0-9]{4,}/g, (id) => maskStripeRef(id) ?? '')
    .replace(/\b(sk|rk|whsec)_(test_|live_)?[A-Za-z0-9]+/g, '$1_…');
}
