import type { Snapshot, TargetConcurrency } from '@lookout/contracts';
import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../api/api-context.tsx';
import { createApiClient } from '../api/client.ts';
import { queryKeys } from '../api/queries.ts';
import { createQueryClient } from '../app/query-client.ts';
import { type RecordedRequest, startApiServer } from '../testing/api-server.ts';
import { sampleSnapshot, sampleTarget } from '../testing/fixtures.ts';
import { reasonText, withConcurrency } from './concurrency-bits.ts';
import { ConcurrencyPanel } from './concurrency-panel.tsx';
import { TargetCard } from './target-card.tsx';
import { TargetPage } from './target-page.tsx';

/** Each step waits on a local HTTP round trip: generous on a busy machine. */
const PATIENCE = { timeout: 5000 };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  cleanup();
  for (const close of closers.splice(0)) await close();
});

const STATIC: TargetConcurrency = {
  mode: 'static',
  limit: 4,
  baselineMs: null,
  lastSampleMs: null,
  changes: [],
};

const ADAPTIVE: TargetConcurrency = {
  mode: 'adaptive',
  limit: 6,
  minLimit: 1,
  maxLimit: 16,
  baselineMs: 42,
  lastSampleMs: 57.5,
  changes: [
    { at: '2025-11-22T17:00:00.000Z', from: 4, to: 1, reason: 'initial' },
    { at: '2025-11-22T17:00:10.000Z', from: 1, to: 2, reason: 'slow_start' },
    { at: '2025-11-22T17:00:20.000Z', from: 2, to: 4, reason: 'slow_start' },
    { at: '2025-11-22T17:00:30.000Z', from: 4, to: 8, reason: 'slow_start' },
    { at: '2025-11-22T17:00:40.000Z', from: 8, to: 5, reason: 'waiting' },
    { at: '2025-11-22T17:00:50.000Z', from: 5, to: 6, reason: 'grow' },
    { at: '2025-11-22T17:01:00.000Z', from: 6, to: 3, reason: 'overload: timeout_first_byte' },
    { at: '2025-11-22T17:01:10.000Z', from: 3, to: 6, reason: 'reset: target back up' },
  ],
};

const PINNED: TargetConcurrency = {
  ...ADAPTIVE,
  mode: 'pinned',
  limit: 3,
  baselineMs: null,
  lastSampleMs: null,
  changes: [...ADAPTIVE.changes, { at: '2025-11-22T17:02:00.000Z', from: 6, to: 3, reason: 'pinned' }],
};

function renderWithApi(ui: ReactNode, baseUrl = 'http://127.0.0.1:1') {
  const queryClient = createQueryClient(() => {});
  const view = render(
    <ApiProvider api={createApiClient({ baseUrl })}>
      <QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>
    </ApiProvider>,
  );
  return { ...view, queryClient };
}

describe('<ConcurrencyPanel>', () => {
  it('shows a static limit as set by the configuration, with nothing learned and nothing to unpin', () => {
    renderWithApi(<ConcurrencyPanel target="gpu-a" concurrency={STATIC} />);
    const panel = screen.getByTestId('concurrency-panel-gpu-a');
    expect(panel.dataset.mode).toBe('static');
    expect(panel.dataset.limit).toBe('4');
    expect(screen.getByTestId('concurrency-mode').textContent).toBe('static');
    expect(screen.getByTestId('concurrency-limit').textContent).toBe('4');
    expect(panel.textContent).toContain('LOOKOUT_MAX_CONCURRENT');
    expect(screen.queryByTestId('concurrency-bounds')).toBeNull();
    expect(screen.queryByTestId('concurrency-baseline')).toBeNull();
    expect(panel.textContent).toContain('No change since the server started.');
    expect((screen.getByTestId('pin-input') as HTMLInputElement).value).toBe('4');
    expect(screen.queryByTestId('unpin')).toBeNull();
  });

  it('shows what an adaptive limit learned and its newest changes first', async () => {
    renderWithApi(<ConcurrencyPanel target="gpu-a" concurrency={ADAPTIVE} />);
    const panel = screen.getByTestId('concurrency-panel-gpu-a');
    expect(panel.dataset.mode).toBe('adaptive');
    expect(screen.getByTestId('concurrency-bounds').textContent).toBe('1–16');
    expect(screen.getByTestId('concurrency-baseline').textContent).toBe('42 ms');
    expect(screen.getByTestId('concurrency-baseline').dataset.value).toBe('42');
    expect(screen.getByTestId('concurrency-last-sample').textContent).toBe('58 ms');
    expect(panel.textContent).toContain('between 1 and 16');

    const rows = () => within(screen.getByTestId('concurrency-changes')).getAllByRole('listitem');
    expect(rows()).toHaveLength(6);
    expect(rows()[0]!.dataset.reason).toBe('reset: target back up');
    expect(rows()[0]!.textContent).toContain('3 → 6');
    expect(rows()[0]!.textContent).toContain('relearning (target back up)');
    expect(rows()[1]!.textContent).toContain('overload (timeout first byte)');
    await userEvent.click(screen.getByRole('button', { name: 'Show all 8' }));
    expect(rows()).toHaveLength(8);
    expect(rows()[7]!.dataset.reason).toBe('initial');
  });

  it('says a baseline is still being learned', () => {
    renderWithApi(
      <ConcurrencyPanel target="gpu-a" concurrency={{ ...ADAPTIVE, baselineMs: null, lastSampleMs: null }} />,
    );
    expect(screen.getByTestId('concurrency-baseline').textContent).toBe('learning');
    expect(screen.getByTestId('concurrency-last-sample').textContent).toBe('–');
  });

  it('shows a pinned limit with what unpinning leads to, and an Unpin button', () => {
    renderWithApi(<ConcurrencyPanel target="gpu-a" concurrency={PINNED} />);
    const panel = screen.getByTestId('concurrency-panel-gpu-a');
    expect(panel.dataset.mode).toBe('pinned');
    expect(panel.dataset.limit).toBe('3');
    expect(panel.textContent).toContain('learn again from 3, between 1 and 16');
    expect(screen.getByTestId('unpin')).toBeTruthy();
    expect(
      within(screen.getByTestId('concurrency-changes')).getAllByRole('listitem')[0]!.textContent,
    ).toContain('pinned by hand');
  });

  it("shows the server's reason when it refuses a pin", async () => {
    const server = await startApiServer(() => ({
      status: 400,
      body: {
        error: {
          code: 'invalid_input',
          message: 'pin must be a whole number from 1 to 1024, or null to unpin',
          fields: { pin: 'pin must be a whole number from 1 to 1024, or null to unpin' },
        },
      },
    }));
    closers.push(server.close);
    renderWithApi(<ConcurrencyPanel target="gpu-a" concurrency={STATIC} />, server.url);
    const input = screen.getByTestId('pin-input');
    await userEvent.clear(input);
    await userEvent.type(input, '2.5');
    await userEvent.click(screen.getByTestId('pin-submit'));
    expect((await screen.findByTestId('pin-error')).textContent).toBe(
      'pin must be a whole number from 1 to 1024, or null to unpin',
    );
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(input.getAttribute('aria-describedby')).toContain(screen.getByTestId('pin-error').id);
    // Sent as typed, so the server is the one judge of what is allowed.
    expect(server.requests).toEqual([
      { method: 'PUT', path: '/api/targets/gpu-a/concurrency', body: { pin: 2.5 } },
    ]);
  });

  it('shows a refusal without a field reason (an unknown target) as a message', async () => {
    const server = await startApiServer(() => ({
      status: 404,
      body: { error: { code: 'not_found', message: 'no target named "gpu-a"' } },
    }));
    closers.push(server.close);
    renderWithApi(<ConcurrencyPanel target="gpu-a" concurrency={STATIC} />, server.url);
    await userEvent.click(screen.getByTestId('pin-submit'));
    expect((await screen.findByTestId('pin-error')).textContent).toBe('no target named "gpu-a"');
    expect(screen.getByTestId('pin-input').getAttribute('aria-invalid')).toBeNull();
  });
});

/**
 * A dashboard API that keeps one target's limit: `GET /api/snapshot` shows it, `PUT .../concurrency`
 * pins and unpins it as the server does (static 4 underneath).
 */
async function startPinningServer() {
  let concurrency: TargetConcurrency = STATIC;
  const changes: TargetConcurrency['changes'] = [];
  const snapshotNow = (): Snapshot =>
    sampleSnapshot('2025-11-22T17:00:01.000Z', {
      targets: [sampleTarget('gpu-a', { maxConcurrent: concurrency.limit, concurrency })],
    });
  const server = await startApiServer((req: RecordedRequest) => {
    if (req.method === 'GET' && req.path === '/api/snapshot') return { status: 200, body: snapshotNow() };
    if (req.method === 'GET' && req.path === '/api/rules') return { status: 200, body: { rules: [] } };
    if (req.method === 'GET' && req.path === '/api/targets') {
      const t = snapshotNow().targets[0]!;
      const limits = { maxConcurrent: concurrency.limit, maxQueue: 64, queueTimeoutMs: 30_000 };
      const { name, url, health, loadedModels, queueDepth, inFlight } = t;
      const info = { name, url, health, loadedModels, queueDepth, inFlight, models: [], limits, concurrency };
      return { status: 200, body: { targets: [info] } };
    }
    if (req.method === 'PUT' && req.path === '/api/targets/gpu-a/concurrency') {
      const pin = (req.body as { pin: number | null }).pin;
      const from = concurrency.limit;
      const to = pin ?? 4;
      changes.push({
        at: '2025-11-22T17:00:02.000Z',
        from,
        to,
        reason: pin === null ? 'unpinned' : 'pinned',
      });
      concurrency = { ...STATIC, mode: pin === null ? 'static' : 'pinned', limit: to, changes: [...changes] };
      return { status: 200, body: { concurrency } };
    }
    return { status: 404, body: { error: { code: 'not_found', message: `${req.method} ${req.path}` } } };
  });
  closers.push(server.close);
  return server;
}

describe('pinning from the target page', () => {
  it('sends the pin and the unpin, and the page shows each answer at once', async () => {
    const server = await startPinningServer();
    const { queryClient } = renderWithApi(<TargetPage target="gpu-a" />, server.url);
    const panel = await screen.findByTestId('concurrency-panel-gpu-a', {}, PATIENCE);
    expect(panel.dataset.mode).toBe('static');

    const input = screen.getByTestId('pin-input');
    await userEvent.clear(input);
    await userEvent.type(input, '3');
    await userEvent.click(screen.getByTestId('pin-submit'));
    await waitFor(() => expect(panel.dataset.mode).toBe('pinned'), PATIENCE);
    expect(panel.dataset.limit).toBe('3');
    // The stats block reads `maxConcurrent` from the same snapshot.
    expect(screen.getByTestId('stat-gpu-a-max').textContent).toBe('3');
    expect(queryClient.getQueryData<Snapshot>(queryKeys.snapshot)?.targets[0]?.concurrency?.mode).toBe(
      'pinned',
    );

    // The list of targets is asked again (it carries the limit too).
    await waitFor(
      () => expect(server.requests.filter((r) => r.path === '/api/targets')).toHaveLength(2),
      PATIENCE,
    );
    const unpin = screen.getByTestId('unpin') as HTMLButtonElement;
    await waitFor(() => expect(unpin.disabled).toBe(false), PATIENCE);
    await userEvent.click(unpin);
    await waitFor(() => expect(panel.dataset.mode).toBe('static'), PATIENCE);
    expect(panel.dataset.limit).toBe('4');
    expect(screen.queryByTestId('unpin')).toBeNull();
    expect(screen.getByTestId('stat-gpu-a-max').textContent).toBe('4');

    // Nothing left in flight when the server closes.
    await waitFor(() => expect(queryClient.isFetching() + queryClient.isMutating()).toBe(0), PATIENCE);
    const writes = server.requests.filter((r) => r.method === 'PUT');
    expect(writes).toEqual([
      { method: 'PUT', path: '/api/targets/gpu-a/concurrency', body: { pin: 3 } },
      { method: 'PUT', path: '/api/targets/gpu-a/concurrency', body: { pin: null } },
    ]);
  });
});

describe('<TargetCard>', () => {
  it('shows the limit and its mode next to the numbers', () => {
    renderWithApi(
      <TargetCard target={sampleTarget('gpu-a', { maxConcurrent: 6, concurrency: ADAPTIVE })} window="1m" />,
    );
    const chip = screen.getByTestId('concurrency-gpu-a');
    expect(chip.textContent).toBe('limit 6 · adaptive');
    expect(chip.dataset.mode).toBe('adaptive');
    expect(chip.dataset.limit).toBe('6');
  });

  it('shows no chip for a server that does not report how the limit is set', () => {
    renderWithApi(<TargetCard target={sampleTarget('gpu-a')} window="1m" />);
    expect(screen.queryByTestId('concurrency-gpu-a')).toBeNull();
    expect(screen.getByTestId('stat-gpu-a-max').textContent).toBe('4');
  });
});

describe('concurrency helpers', () => {
  it('reads reasons for people and keeps unknown ones as sent', () => {
    expect(reasonText('waiting')).toBe('calls waited inside the target');
    expect(reasonText('reset: target back up')).toBe('relearning (target back up)');
    expect(reasonText('some_new_reason')).toBe('some new reason');
  });

  it("replaces one target's limit in a snapshot, and only that one", () => {
    const s = sampleSnapshot();
    const next = withConcurrency(s, 'gpu-b', PINNED);
    expect(next.targets[1]).toMatchObject({ maxConcurrent: 3, concurrency: { mode: 'pinned' } });
    expect(next.targets[0]).toBe(s.targets[0]);
    expect(s.targets[1]!.concurrency).toBeUndefined();
  });
});
