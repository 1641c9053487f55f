import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient } from '../api/client.ts';
import type { SocketFactory } from '../core/reconnecting-socket.ts';
import { createStore } from '../core/store.ts';
import { LiveSettingsProvider } from '../live/live-context.tsx';
import { startApiServer } from '../testing/api-server.ts';
import { sampleSnapshot } from '../testing/fixtures.ts';
import { App } from './app.tsx';
import type { AuthStatus } from './auth-gate.tsx';
import { createQueryClient } from './query-client.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  cleanup();
  for (const close of closers.splice(0)) await close();
});

/** A socket that never connects: this test is about the REST side (the live side has its own tests). */
const silentSocket: SocketFactory = () => ({ send: () => {}, close: () => {} });

describe('<App>', () => {
  it('signs in with the admin token, shows the snapshot numbers exactly, and signs out', async () => {
    let signedIn = false;
    const snapshot = sampleSnapshot();
    const server = await startApiServer((req) => {
      if (req.path === '/api/session' && req.method === 'POST') {
        if ((req.body as { token?: string }).token !== 'right-token') {
          return { status: 401, body: { error: { code: 'unauthorized', message: 'wrong admin token' } } };
        }
        signedIn = true;
        return { status: 200, body: { ok: true } };
      }
      if (req.path === '/api/session' && req.method === 'DELETE') {
        signedIn = false;
        return { status: 204 };
      }
      if (!signedIn) return { status: 401, body: { error: { code: 'unauthorized', message: 'sign in' } } };
      if (req.path === '/api/snapshot') return { status: 200, body: snapshot };
      if (req.path === '/api/rules') return { status: 200, body: { rules: [] } };
      return { status: 404, body: { error: { code: 'not_found', message: req.path } } };
    });
    closers.push(server.close);
    const auth = createStore<AuthStatus>('checking');
    render(
      <LiveSettingsProvider settings={{ url: 'ws://127.0.0.1:1/ws', createSocket: silentSocket }}>
        <App
          api={createApiClient({ baseUrl: server.url })}
          queryClient={createQueryClient(() => auth.set('signed_out'))}
          auth={auth}
        />
      </LiveSettingsProvider>,
    );

    const token = await screen.findByTestId('signin-token');
    await userEvent.type(token, 'wrong-token');
    await userEvent.click(screen.getByTestId('signin-submit'));
    expect((await screen.findByTestId('signin-error')).textContent).toBe(
      'That token is not the admin token.',
    );

    await userEvent.clear(token);
    await userEvent.type(token, 'right-token');
    await userEvent.click(screen.getByTestId('signin-submit'));
    await screen.findByTestId('target-card-gpu-a');

    const p95 = screen.getByTestId('stat-gpu-a-p95');
    expect(p95.dataset.value).toBe(String(snapshot.targets[0]!.stats.windows['1m'].latencyMs!.p95));
    expect(p95.textContent).toBe('1.60 s');
    expect(screen.getByTestId('stat-gpu-a-max').textContent).toBe('4');
    expect(screen.getByTestId('health-gpu-b').dataset.health).toBe('down');
    expect(screen.getByTestId('connection-status').dataset.state).toBe('connecting');

    await userEvent.click(screen.getByTestId('signout'));
    await screen.findByTestId('signin-token');
    await waitFor(() => expect(server.requests.some((r) => r.method === 'DELETE')).toBe(true));
  });
});
