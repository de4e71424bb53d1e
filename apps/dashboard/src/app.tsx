import { useEffect, useMemo, useState } from 'react';
import { AccountPage } from './accounts/account-page';
import { AccountsPage } from './accounts/accounts-page';
import { SignedInContext } from './api/api-context';
import { ApiClient } from './api/api.client';
import { parseRoute, routeHref } from './route';
import type { Route } from './route';
import { clearSession, loadSession, saveSession } from './session/session';
import type { Session } from './session/session';
import { SignInPage } from './session/sign-in-page';
import { SystemPage } from './system/system-page';

const TOKEN_NO_LONGER_VALID = 'This token is no longer valid (revoked or expired): sign in again.';

export function App() {
  const [session, setSession] = useState<Session | undefined>(() =>
    loadSession(window.sessionStorage),
  );
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  // Why the operator is back at the sign-in form, when a signed-in session ended on its own.
  const [ended, setEnded] = useState<string | undefined>(undefined);

  useEffect(() => {
    const follow = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);

  const signedIn = useMemo(() => {
    if (!session) return null;
    // A token revoked (or no longer accepted) mid-session: every panel would fail with 401, and
    // the dead token would stay in the tab. Forget it and ask for another.
    const expire = () => {
      clearSession(window.sessionStorage);
      setEnded(TOKEN_NO_LONGER_VALID);
      setSession(undefined);
    };
    return { session, api: new ApiClient(session.token, '', undefined, expire) };
  }, [session]);

  if (!signedIn) {
    return (
      <SignInPage
        notice={ended}
        onSignedIn={(next) => {
          saveSession(window.sessionStorage, next);
          setEnded(undefined);
          setSession(next);
        }}
      />
    );
  }

  const signOut = () => {
    clearSession(window.sessionStorage);
    setSession(undefined);
  };
  // A tenant token sees one account: every route leads there.
  const shown: Route =
    signedIn.session.role === 'tenant'
      ? { page: 'account', accountId: signedIn.session.accountId ?? '' }
      : route;

  return (
    <SignedInContext.Provider value={signedIn}>
      <div className="shell">
        <nav className="topbar">
          <a className="brand" href={routeHref({ page: 'accounts' })}>
            <span className="brand-mark" aria-hidden="true">
              ◆
            </span>
            Tally
          </a>
          {signedIn.session.role === 'admin' ? (
            <div className="nav-links">
              <a
                href={routeHref({ page: 'accounts' })}
                className={shown.page !== 'system' ? 'active' : ''}
              >
                Accounts
              </a>
              <a
                href={routeHref({ page: 'system' })}
                className={shown.page === 'system' ? 'active' : ''}
              >
                System
              </a>
            </div>
          ) : null}
          <div className="nav-session">
            <span className="role" data-role={signedIn.session.role}>
              {signedIn.session.role === 'admin'
                ? 'admin'
                : `tenant · ${signedIn.session.accountId}`}
            </span>
            <button type="button" className="secondary small" onClick={signOut}>
              Sign out
            </button>
          </div>
        </nav>
        <main className="content">
          {shown.page === 'accounts' ? <AccountsPage /> : null}
          {shown.page === 'system' ? <SystemPage /> : null}
          {shown.page === 'account' ? (
            <AccountPage key={shown.accountId} accountId={shown.accountId} />
          ) : null}
        </main>
      </div>
    </SignedInContext.Provider>
  );
}
