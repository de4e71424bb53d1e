// The signed-in token lives in sessionStorage: it survives a reload but not the tab, and
// never reaches a cookie the browser would send on its own.
export type Role = 'admin' | 'tenant';

export interface Session {
  token: string;
  role: Role;
  /** The one account a tenant token sees. */
  accountId?: string;
}

const KEY = 'tally.dashboard.session';

export function loadSession(storage: Storage): Session | undefined {
  try {
    const parsed = JSON.parse(storage.getItem(KEY) ?? 'null') as Partial<Session> | null;
    if (!parsed || typeof parsed.token !== 'string' || parsed.token === '') return undefined;
    if (parsed.role === 'admin') return { token: parsed.token, role: 'admin' };
    if (parsed.role === 'tenant' && typeof parsed.accountId === 'string')
      return { token: parsed.token, role: 'tenant', accountId: parsed.accountId };
    return undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(storage: Storage, session: Session): void {
  storage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(storage: Storage): void {
  storage.removeItem(KEY);
}
