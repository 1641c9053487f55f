import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import { useApi } from '../api/api-context.tsx';
import { isUnauthorized } from '../api/client.ts';
import { snapshotQuery } from '../api/queries.ts';
import type { WritableStore } from '../core/store.ts';
import { useStore } from '../live/live-context.tsx';
import { Shell } from './shell.tsx';
import { SignIn } from './sign-in.tsx';

export type AuthStatus = 'checking' | 'signed_in' | 'signed_out';

/** The sign-in screen, or the app: the first snapshot request tells which (401 means signed out). */
export function AuthGate({ auth }: { auth: WritableStore<AuthStatus> }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const status = useStore(auth);
  const snapshot = useQuery({ ...snapshotQuery(api), enabled: status !== 'signed_out' });

  useEffect(() => {
    if (snapshot.isSuccess && status === 'checking') auth.set('signed_in');
    if (isUnauthorized(snapshot.error)) auth.set('signed_out');
  }, [snapshot.isSuccess, snapshot.error, status, auth]);

  const signedIn = useCallback(() => {
    queryClient.clear();
    auth.set('signed_in');
  }, [queryClient, auth]);

  const signedOut = useCallback(() => {
    auth.set('signed_out');
    queryClient.clear();
  }, [queryClient, auth]);

  if (status === 'signed_out') return <SignIn onSignedIn={signedIn} />;
  if (status === 'checking') {
    if (snapshot.error && !isUnauthorized(snapshot.error)) {
      return (
        <main className="signin" id="main">
          <div className="signin-card" role="alert">
            <h1>Lookout</h1>
            <p>The Lookout server did not answer: {snapshot.error.message}</p>
            <button type="button" className="button primary" onClick={() => void snapshot.refetch()}>
              Try again
            </button>
          </div>
        </main>
      );
    }
    return (
      <main className="signin" id="main" aria-busy="true">
        <p className="muted">Loading…</p>
      </main>
    );
  }
  return <Shell onSignedOut={signedOut} />;
}
