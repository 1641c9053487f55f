// @vitest-environment node
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Snapshot } from '@lookout/contracts';
import { diffSnapshots } from '@lookout/contracts';
import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import { queryKeys } from '../api/queries.ts';
import { webSocketFactory } from '../core/reconnecting-socket.ts';
import { laterSnapshot, sampleSnapshot } from '../testing/fixtures.ts';
import { type LiveConnection, liveUrl, startLiveConnection } from './live-connection.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startHub(script: (send: (message: unknown) => void) => void) {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, path: '/ws' });
  wss.on('connection', (ws) => script((message) => ws.send(JSON.stringify(message))));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
}

function until(predicate: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const timer = setInterval(() => {
      if (predicate()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - startedAt > 5_000) {
        clearInterval(timer);
        reject(new Error('timed out'));
      }
    }, 5);
  });
}

function connect(url: string, queryClient: QueryClient): LiveConnection {
  const live = startLiveConnection({
    queryClient,
    url,
    createSocket: webSocketFactory(NodeWebSocket as unknown as typeof WebSocket),
  });
  cleanups.push(() => live.stop());
  return live;
}

describe('startLiveConnection', () => {
  it('writes each snapshot and delta into the query cache and the series ring', async () => {
    const s0 = sampleSnapshot();
    const s1 = laterSnapshot(s0, 1, 9);
    const url = await startHub((send) => {
      send({ type: 'snapshot', seq: 3, data: s0 });
      send({ type: 'delta', seq: 4, ...diffSnapshots(s0, s1) });
    });
    const queryClient = new QueryClient();
    const live = connect(url, queryClient);
    await until(() => queryClient.getQueryData<Snapshot>(queryKeys.snapshot)?.at === s1.at);
    expect(queryClient.getQueryData<Snapshot>(queryKeys.snapshot)?.fleet.queueDepth).toBe(9);
    expect(live.series.series({ kind: 'fleet' }).map((p) => p.queueDepth)).toEqual([s0.fleet.queueDepth, 9]);
    expect(live.state.get().status).toBe('open');
    expect(live.lastDataAtMs.get()).not.toBeNull();
  });

  it('streams test-prompt tokens, and refreshes the runs when one ends', async () => {
    const url = await startHub((send) => {
      send({ type: 'snapshot', seq: 0, data: sampleSnapshot() });
      send({ type: 'test_prompt', runId: 'run-1', event: 'token', text: 'Hel' });
      send({ type: 'test_prompt', runId: 'run-1', event: 'token', text: 'lo' });
      send({
        type: 'test_prompt',
        runId: 'run-1',
        event: 'error',
        outcome: 'timeout_idle',
        code: 'LOOKOUT_IDLE_TIMEOUT',
        message: 'no chunk for 30000 ms',
      });
    });
    const queryClient = new QueryClient();
    queryClient.setQueryData(queryKeys.testPromptRuns, { runs: [] });
    const live = connect(url, queryClient);
    await until(() => live.streams.get('run-1')?.end !== null && live.streams.get('run-1') !== undefined);
    expect(live.streams.get('run-1')).toMatchObject({ text: 'Hello', end: { code: 'LOOKOUT_IDLE_TIMEOUT' } });
    expect(queryClient.getQueryState(queryKeys.testPromptRuns)?.isInvalidated).toBe(true);
  });
});

describe('liveUrl', () => {
  it('follows the page scheme', () => {
    expect(liveUrl({ protocol: 'http:', host: '127.0.0.1:11436' })).toBe('ws://127.0.0.1:11436/ws');
    expect(liveUrl({ protocol: 'https:', host: 'lookout.example' })).toBe('wss://lookout.example/ws');
  });
});
