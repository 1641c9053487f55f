import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { isApiError } from '../api/client.ts';
import { signIn } from '../api/endpoints.ts';

/** Sign-in with the admin token (printed by the server on first start, kept in its data dir). */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const api = useApi();
  const [token, setToken] = useState('');
  const errorId = useId();
  const mutation = useMutation({ mutationFn: (t: string) => signIn(api, t), onSuccess: onSignedIn });
  const error = mutation.error;
  const message = !error
    ? null
    : isApiError(error) && error.status === 401
      ? 'That token is not the admin token.'
      : isApiError(error)
        ? error.message
        : 'Sign-in failed.';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim() !== '') mutation.mutate(token.trim());
  };
  return (
    <main className="signin" id="main">
      <form className="signin-card" onSubmit={submit} aria-describedby={message ? errorId : undefined}>
        <h1>
          <span className="brand-mark" aria-hidden="true" /> Lookout
        </h1>
        <p className="muted">
          Sign in with the admin token. The server prints it on first start and keeps it in its data
          directory.
        </p>
        <label htmlFor="signin-token">Admin token</label>
        <input
          id="signin-token"
          data-testid="signin-token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? errorId : undefined}
          required
        />
        {message && (
          <p id={errorId} className="field-error" role="alert" data-testid="signin-error">
            {message}
          </p>
        )}
        <button
          type="submit"
          className="button primary"
          data-testid="signin-submit"
          disabled={mutation.isPending}
        >
          {mutation.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
