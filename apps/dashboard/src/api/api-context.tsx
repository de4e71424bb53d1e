import { createContext, useContext } from 'react';
import type { Session } from '../session/session';
import type { ApiClient } from './api.client';

export interface SignedIn {
  api: ApiClient;
  session: Session;
}

export const SignedInContext = createContext<SignedIn | null>(null);

/** The API client and session of the signed-in operator; only used below the sign-in gate. */
export function useSignedIn(): SignedIn {
  const signedIn = useContext(SignedInContext);
  if (!signedIn) throw new Error('useSignedIn outside a signed-in page');
  return signedIn;
}
