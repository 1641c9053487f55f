import { formatClock } from '../core/format.ts';
import type { ConnectionState } from '../core/reconnecting-socket.ts';

export type ConnectionTone = 'live' | 'connecting' | 'reconnecting' | 'stale';

export interface ConnectionView {
  readonly tone: ConnectionTone;
  /** Announced to screen readers when it changes: stays the same while nothing changes. */
  readonly label: string;
  /** Ticks (countdown); shown, not announced. */
  readonly detail: string;
}

/** Data older than this while the socket is open means the server stopped sending. */
export const STALE_AFTER_MS = 3_500;

/** What the indicator says for a connection state, the time of the last data and the clock. */
export function describeConnection(
  state: ConnectionState | null,
  lastDataAtMs: number | null,
  nowMs: number,
): ConnectionView {
  const staleSince = lastDataAtMs === null ? '' : ` · stale since ${formatClock(lastDataAtMs)}`;
  if (state === null || state.status === 'connecting') {
    if (lastDataAtMs === null && (state === null || state.attempt === 0)) {
      return { tone: 'connecting', label: 'Connecting', detail: '' };
    }
    return { tone: 'reconnecting', label: `Reconnecting${staleSince}`, detail: 'connecting…' };
  }
  switch (state.status) {
    case 'open':
      if (lastDataAtMs !== null && nowMs - lastDataAtMs <= STALE_AFTER_MS) {
        return { tone: 'live', label: 'Live', detail: '' };
      }
      return lastDataAtMs === null
        ? { tone: 'connecting', label: 'Waiting for data', detail: '' }
        : { tone: 'stale', label: `Stale since ${formatClock(lastDataAtMs)}`, detail: '' };
    case 'waiting': {
      const seconds = Math.max(0, Math.ceil((state.retryAtMs - nowMs) / 1000));
      return { tone: 'reconnecting', label: `Reconnecting${staleSince}`, detail: `retry in ${seconds} s` };
    }
    case 'stopped':
      return { tone: 'stale', label: `Disconnected${staleSince}`, detail: '' };
  }
}

export interface ConnectionStatusProps {
  readonly state: ConnectionState | null;
  readonly lastDataAtMs: number | null;
  readonly nowMs: number;
  readonly onRetry?: () => void;
}

/** The always-visible live / reconnecting / stale indicator. */
export function ConnectionStatus({ state, lastDataAtMs, nowMs, onRetry }: ConnectionStatusProps) {
  const view = describeConnection(state, lastDataAtMs, nowMs);
  return (
    <div className="connection" data-testid="connection-status" data-state={view.tone}>
      <span className="connection-dot" aria-hidden="true" />
      <span role="status" aria-live="polite" className="connection-label">
        {view.label}
      </span>
      {view.detail && (
        <span className="connection-detail" aria-hidden="true">
          {view.detail}
        </span>
      )}
      {state?.status === 'waiting' && onRetry && (
        <button type="button" className="link-button" onClick={onRetry}>
          Retry now
        </button>
      )}
    </div>
  );
}
