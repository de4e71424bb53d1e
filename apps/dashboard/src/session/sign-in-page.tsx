import { useState } from 'react';
import type { FormEvent } from 'react';
import { Failure } from '../ui/layout';
import type { Session } from './session';
import { signIn } from './sign-in';

/** Token sign-in: admin tokens see every account, tenant tokens name their own. */
export function SignInPage({
  onSignedIn,
  notice,
}: {
  onSignedIn: (session: Session) => void;
  /** Why the last session ended, until the next attempt to sign in. */
  notice?: string;
}) {
  const [token, setToken] = useState('');
  const [accountId, setAccountId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(notice ? new Error(notice) : null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    signIn(token.trim(), accountId).then(onSignedIn, (failure: unknown) => {
      setError(failure);
      setBusy(false);
    });
  };

  return (
    <main className="sign-in">
      <form className="sign-in-card" onSubmit={submit} aria-label="Sign in">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          Tally
        </div>
        <p className="muted">Sign in with an admin or tenant API token.</p>
        <label>
          Token
          <input
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(event) => setToken(event.target.value)}
            autoFocus
            required
          />
        </label>
        <label>
          <span>
            Account id <span className="muted">(tenant tokens only)</span>
          </span>
          <input
            name="account_id"
            autoComplete="off"
            spellCheck={false}
            value={accountId}
            onChange={(event) => setAccountId(event.target.value)}
          />
        </label>
        {error ? <Failure error={error} /> : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p className="muted small">
          The token stays in this tab only (session storage) and is sent to this server alone.
        </p>
      </form>
    </main>
  );
}
