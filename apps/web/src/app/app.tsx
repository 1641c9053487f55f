import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiProvider } from '../api/api-context.tsx';
import type { ApiClient } from '../api/client.ts';
import type { WritableStore } from '../core/store.ts';
import { AuthGate, type AuthStatus } from './auth-gate.tsx';

export interface AppProps {
  readonly api: ApiClient;
  readonly queryClient: QueryClient;
  readonly auth: WritableStore<AuthStatus>;
}

export function App({ api, queryClient, auth }: AppProps) {
  return (
    <ApiProvider api={api}>
      <QueryClientProvider client={queryClient}>
        <AuthGate auth={auth} />
      </QueryClientProvider>
    </ApiProvider>
  );
}
