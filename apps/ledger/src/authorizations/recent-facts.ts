import type { ApiKeyPrincipal } from '../accounts/accounts.service';
import type { FactsRow } from './authorization.store';

/** Keys whose facts are kept at most; the least recently used go first. */
const DEFAULT_CAPACITY = 10_000;

/**
 * The facts each API key's last authorization in this instance read or left behind (ADR 0046).
 * They are a guess, never trusted: a hold decided on them is placed only if the database still
 * holds exactly these facts. An earlier hold belongs to its request id, so none is kept.
 */
export class RecentFacts {
  private readonly rows = new Map<string, FactsRow>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get(principal: ApiKeyPrincipal): FactsRow | undefined {
    return this.rows.get(keyOf(principal));
  }

  keep(principal: ApiKeyPrincipal, row: FactsRow): void {
    const key = keyOf(principal);
    this.rows.delete(key);
    this.rows.set(key, { ...row, earlier: null });
    if (this.rows.size > this.capacity) {
      const oldest = this.rows.keys().next();
      if (!oldest.done) this.rows.delete(oldest.value);
    }
  }
}

function keyOf(principal: ApiKeyPrincipal): string {
  return `${principal.accountId}/${principal.apiKeyId}`;
}
