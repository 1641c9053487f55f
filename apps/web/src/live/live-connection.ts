import type { QueryClient } from '@tanstack/react-query';
import { queryKeys } from '../api/queries.ts';
import { LiveFeed, type LiveProtocolErrorCode } from '../core/live-feed.ts';
import {
  type ConnectionState,
  ReconnectingSocket,
  type SocketFactory,
  webSocketFactory,
} from '../core/reconnecting-socket.ts';
import { SeriesRing } from '../core/series-ring.ts';
import { createStore, type ReadableStore } from '../core/store.ts';
import { TestPromptStreams } from '../core/test-prompt-streams.ts';

/** The live side of the app: connection state, the 15-minute series, streamed test-prompt output. */
export interface LiveConnection {
  readonly state: ReadableStore<ConnectionState>;
  /** When the last snapshot or delta was applied (client clock), null before the first. */
  readonly lastDataAtMs: ReadableStore<number | null>;
  readonly series: SeriesRing;
  readonly streams: TestPromptStreams;
  /** The last protocol problem (not JSON, off-contract message, server error message). */
  readonly lastProblem: ReadableStore<{ code: LiveProtocolErrorCode; message: string } | null>;
  reconnectNow(): void;
  stop(): void;
}

export interface LiveConnectionOptions {
  readonly queryClient: QueryClient;
  readonly url: string;
  readonly createSocket?: SocketFactory;
  /** A connection ended without bringing anything (refused): the session may have expired. */
  readonly onRefused?: () => void;
  readonly now?: () => number;
}

/** `ws://host/ws` or `wss://host/ws` for the page's own origin. */
export function liveUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/**
 * Connects `/ws` and feeds what arrives into the same react-query cache the REST calls fill: the
 * snapshot under its key, alert transitions as invalidations of the alert queries, finished test
 * prompts as invalidations of the runs.
 */
export function startLiveConnection(options: LiveConnectionOptions): LiveConnection {
  const { queryClient } = options;
  const now = options.now ?? Date.now;
  const series = new SeriesRing();
  const streams = new TestPromptStreams();
  const lastDataAtMs = createStore<number | null>(null);
  const lastProblem = createStore<{ code: LiveProtocolErrorCode; message: string } | null>(null);

  const feed = new LiveFeed({
    send: (text) => socket.send(text),
    now,
    onSnapshot: (snapshot) => {
      queryClient.setQueryData(queryKeys.snapshot, snapshot);
      series.push(snapshot);
      lastDataAtMs.set(now());
    },
    onAlert: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.alertEventsAll });
      void queryClient.invalidateQueries({ queryKey: queryKeys.alertStates });
    },
    onTestPrompt: (message) => {
      streams.handle(message);
      if (message.event !== 'token')
        void queryClient.invalidateQueries({ queryKey: queryKeys.testPromptRuns });
    },
    onProtocolError: (problem) => lastProblem.set(problem),
  });

  const socket = new ReconnectingSocket({
    url: options.url,
    createSocket: options.createSocket ?? webSocketFactory(),
    now,
    onOpen: () => feed.reset(),
    onMessage: (text) => feed.handleText(text),
    onDown: ({ delivered }) => {
      if (!delivered) options.onRefused?.();
    },
  });
  socket.start();

  return {
    state: socket.state,
    lastDataAtMs,
    series,
    streams,
    lastProblem,
    reconnectNow: () => socket.reconnectNow(),
    stop: () => socket.stop(),
  };
}
