import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isApiError, isUnauthorized } from '../api/client.ts';

/**
 * The app's query client: a 401 anywhere means the session ended (the sign-in screen shows);
 * client errors (4xx) are not retried, server and network errors twice.
 */
export function createQueryClient(onUnauthorized: () => void): QueryClient {
  const onError = (error: unknown) => {
    if (isUnauthorized(error)) onUnauthorized();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        retry: (failures, error) => {
          if (isApiError(error) && error.status !== null && error.status < 500) return false;
          return failures < 2;
        },
        refetchOnWindowFocus: false,
      },
    },
  });
}
