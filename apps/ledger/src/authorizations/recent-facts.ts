import { RecentlyUsed } from '@tally/platform';
import type { ApiKeyPrincipal } from '../accounts/accounts.service';
import type { AuthorizationFacts } from './authorization.store';

/** Keys whose facts are kept at most; the least recently used go first. */
const DEFAULT_CAPACITY = 10_000;

/**
 * The facts each API key's last authorization in this instance read or left behind (ADR 0046).
 * They are a guess, never trusted: a hold decided on them is placed only if the database still
 * holds exactly these facts. An earlier hold belongs to its request id, so none is kept.
 */
export class RecentFacts {
  private readonly facts: RecentlyUsed<string, AuthorizationFacts>;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.facts = new RecentlyUsed(capacity);
  }

  get(principal: ApiKeyPrincipal): AuthorizationFacts | undefined {
    return this.facts.get(keyOf(principal));
  }

  keep(principal: ApiKeyPrincipal, facts: AuthorizationFacts): void {
    this.facts.set(keyOf(principal), {
      ...facts,
      earlier: null,
      seen: { ...facts.seen, earlier: null },
    });
  }
}

function keyOf(principal: ApiKeyPrincipal): string {
  return `${principal.accountId}/${principal.apiKeyId}`;
}
