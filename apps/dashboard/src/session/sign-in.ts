import { ApiClient, ApiError } from '../api/api.client';
import type { Session } from './session';

/** Why a token was not accepted, in words for the sign-in form. */
export class SignInError extends Error {}

/**
 * Finds what a token may see. The API has no "who am I" route: the admin-only account list
 * answers an admin token, 403 means a tenant token, which must then name its account.
 */
export async function signIn(
  token: string,
  accountId: string | undefined,
  client: ApiClient = new ApiClient(token),
): Promise<Session> {
  if (token.trim() === '') throw new SignInError('Enter a token.');
  try {
    await client.accounts(null, 1);
    return { token, role: 'admin' };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 401) throw new SignInError('This token is not valid (or was revoked).');
    if (error.status !== 403) throw error;
  }
  const account = accountId?.trim();
  if (!account)
    throw new SignInError('This is a tenant token: enter the account id it belongs to.');
  try {
    await client.account(account);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 403))
      throw new SignInError(`This token cannot see account "${account}".`);
    throw error;
  }
  return { token, role: 'tenant', accountId: account };
}
