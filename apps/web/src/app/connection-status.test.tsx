import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatClock } from '../core/format.ts';
import { ConnectionStatus, describeConnection } from './connection-status.tsx';

const t0 = new Date(2025, 10, 22, 14, 3, 22).getTime();

describe('describeConnection', () => {
  it('is live while data keeps arriving on an open socket', () => {
    const view = describeConnection({ status: 'open', openedAtMs: t0 }, t0, t0 + 1_000);
    expect(view).toEqual({ tone: 'live', label: 'Live', detail: '' });
  });

  it('turns stale, naming since when, once the data stops on an open socket', () => {
    const view = describeConnection({ status: 'open', openedAtMs: t0 }, t0, t0 + 10_000);
    expect(view.tone).toBe('stale');
    expect(view.label).toBe(`Stale since ${formatClock(t0)}`);
  });

  it('while waiting to reconnect: a stable label and a countdown apart from it', () => {
    const state = { status: 'waiting', attempt: 2, retryAtMs: t0 + 4_200, closeCode: 1006 } as const;
    const early = describeConnection(state, t0 - 5_000, t0);
    const later = describeConnection(state, t0 - 5_000, t0 + 2_000);
    expect(early.tone).toBe('reconnecting');
    expect(early.label).toBe(`Reconnecting · stale since ${formatClock(t0 - 5_000)}`);
    expect(later.label).toBe(early.label);
    expect([early.detail, later.detail]).toEqual(['retry in 5 s', 'retry in 3 s']);
  });

  it('says connecting on the first attempt', () => {
    expect(describeConnection({ status: 'connecting', attempt: 0 }, null, t0).tone).toBe('connecting');
    expect(describeConnection({ status: 'connecting', attempt: 3 }, null, t0).tone).toBe('reconnecting');
  });
});

describe('<ConnectionStatus>', () => {
  it('renders the state for people, screen readers and tests', () => {
    render(
      <ConnectionStatus
        state={{ status: 'waiting', attempt: 1, retryAtMs: t0 + 2_000, closeCode: 1006 }}
        lastDataAtMs={t0 - 1_000}
        nowMs={t0}
        onRetry={() => {}}
      />,
    );
    const status = screen.getByTestId('connection-status');
    expect(status.dataset.state).toBe('reconnecting');
    expect(screen.getByRole('status').textContent).toBe(
      `Reconnecting · stale since ${formatClock(t0 - 1_000)}`,
    );
    expect(screen.getByRole('button', { name: 'Retry now' })).toBeTruthy();
  });
});
