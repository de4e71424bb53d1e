import { ApiClient } from '../api/api.client';
import { SignInError, signIn } from './sign-in';

/** A fake admin that knows one admin token and one tenant token of acct_own. */
function adminApi(): (token: string) => ApiClient {
  return (token) =>
    new ApiClient(token, '', async (url) => {
      const path = String(url);
      const json = (status: number, body: unknown) =>
        new Response(JSON.stringify(body), { status });
      if (token === 'tok_admin') return json(200, { items: [], next_cursor: null });
      if (token !== 'tok_tenant') return json(401, { error_code: 'UNAUTHORIZED', message: 'no' });
      if (path.startsWith('/v1/accounts?')) return json(403, { error_code: 'FORBIDDEN' });
      if (path === '/v1/accounts/acct_own') return json(200, { account_id: 'acct_own' });
      return json(404, { error_code: 'ACCOUNT_NOT_FOUND' });
    });
}

describe('signing in with a token', () => {
  const client = adminApi();

  it('takes a token the account list answers as an admin token', async () => {
    await expect(signIn('tok_admin', undefined, client('tok_admin'))).resolves.toEqual({
      token: 'tok_admin',
      role: 'admin',
    });
  });

  it('takes a tenant token with the account it sees', async () => {
    await expect(signIn('tok_tenant', ' acct_own ', client('tok_tenant'))).resolves.toEqual({
      token: 'tok_tenant',
      role: 'tenant',
      accountId: 'acct_own',
    });
  });

  it('says what is wrong: unknown token, missing account, another account', async () => {
    await expect(signIn('tok_bad', undefined, client('tok_bad'))).rejects.toThrow(
      'This token is not valid (or was revoked).',
    );
    await expect(signIn('tok_tenant', '', client('tok_tenant'))).rejects.toThrow(SignInError);
    await expect(signIn('tok_tenant', 'acct_other', client('tok_tenant'))).rejects.toThrow(
      'This token cannot see account "acct_other".',
    );
    await expect(signIn('  ', undefined, client('  '))).rejects.toThrow('Enter a token.');
  });
});
