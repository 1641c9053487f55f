import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from 'react';
import type { ConnectionState, SocketFactory } from '../core/reconnecting-socket.ts';
import type { SeriesPoint, SeriesScope } from '../core/series-ring.ts';
import type { ReadableStore } from '../core/store.ts';
import { type LiveConnection, liveUrl, startLiveConnection } from './live-connection.ts';

const LiveContext = createContext<LiveConnection | null>(null);

/** Where and how the live connection connects; the defaults are the page's own `/ws` and the browser's WebSocket. */
export interface LiveSettings {
  readonly url?: string;
  readonly createSocket?: SocketFactory;
}

const LiveSettingsContext = createContext<LiveSettings>({});

/** Overrides the live connection's settings below it (tests; a dashboard behind a path prefix). */
export function LiveSettingsProvider({
  settings,
  children,
}: {
  settings: LiveSettings;
  children: ReactNode;
}) {
  return <LiveSettingsContext.Provider value={settings}>{children}</LiveSettingsContext.Provider>;
}

/** Opens the live connection while mounted (signed in), and reconnects at once when the browser is back online. */
export function LiveProvider({ children, onRefused }: { children: ReactNode; onRefused: () => void }) {
  const queryClient = useQueryClient();
  const settings = useContext(LiveSettingsContext);
  const [live, setLive] = useState<LiveConnection | null>(null);
  useEffect(() => {
    const connection = startLiveConnection({
      queryClient,
      url: settings.url ?? liveUrl(window.location),
      ...(settings.createSocket ? { createSocket: settings.createSocket } : {}),
      onRefused,
    });
    setLive(connection);
    const wake = () => {
      if (document.visibilityState === 'visible') connection.reconnectNow();
    };
    window.addEventListener('online', wake);
    document.addEventListener('visibilitychange', wake);
    return () => {
      window.removeEventListener('online', wake);
      document.removeEventListener('visibilitychange', wake);
      connection.stop();
    };
  }, [queryClient, onRefused, settings]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

export function useLive(): LiveConnection | null {
  return useContext(LiveContext);
}

const noStore: ReadableStore<null> = { get: () => null, subscribe: () => () => {} };

export function useStore<T>(store: ReadableStore<T>): T {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

export function useConnectionState(): ConnectionState | null {
  const live = useLive();
  return useStore<ConnectionState | null>(live?.state ?? noStore);
}

export function useLastDataAt(): number | null {
  const live = useLive();
  return useStore<number | null>(live?.lastDataAtMs ?? noStore);
}

/** The live points of a scope; recomputed when a new snapshot arrives. */
export function useSeries(scope: SeriesScope): SeriesPoint[] {
  const live = useLive();
  const version = useStore<number | null>(live?.series.version ?? noStore);
  const key = JSON.stringify(scope);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the signal that the ring changed; `key` stands for `scope`.
  return useMemo(() => live?.series.series(scope) ?? [], [live, version, key]);
}

/** The clock, ticking every `intervalMs` (for "stale since" and countdowns). */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
