// @vitest-environment node
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Snapshot } from '@lookout/contracts';
import { diffSnapshots } from '@lookout/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, type WebSocket as ServerSocket, WebSocketServer } from 'ws';
import { laterSnapshot, sampleSnapshot } from '../testing/fixtures.ts';
import { LiveFeed, RESYNC_REQUEST } from './live-feed.ts';
import { type ConnectionState, ReconnectingSocket, webSocketFactory } from './reconnecting-socket.ts';

/** A real WebSocket server on 127.0.0.1:0; `onConnection` scripts each connection. */
async function startServer(onConnection: (ws: ServerSocket, index: number) => void, refuse = false) {
  const http: Server = createServer();
  const wss = new WebSocketServer({ noServer: true });
  let connections = 0;
  const received: string[] = [];
  http.on('upgrade', (req, socket, head) => {
    if (refuse) {
      connections++;
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const index = connections++;
      ws.on('message', (data) => received.push(String(data)));
      onConnection(ws, index);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    received,
    get connections() {
      return connections;
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

const createSocket = webSocketFactory(NodeWebSocket as unknown as typeof WebSocket);
const fast = { minMs: 10, baseMs: 20, maxMs: 80 };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const poll = setInterval(() => {
      if (predicate()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - startedAt > timeoutMs) {
        clearInterval(poll);
        reject(new Error('condition not met in time'));
      }
    }, 5);
  });
}

const snapshotText = (snapshot: Snapshot, seq: number) =>
  JSON.stringify({ type: 'snapshot', seq, data: snapshot });

describe('ReconnectingSocket + LiveFeed over a real WebSocket', () => {
  it('on a seq gap sends a resync request and continues from the fresh snapshot', async () => {
    const s0 = sampleSnapshot();
    const s1 = laterSnapshot(s0, 1, 1);
    const s3 = laterSnapshot(s0, 3, 3);
    const s4 = laterSnapshot(s0, 4, 4);
    const server = await startServer((ws) => {
      ws.send(snapshotText(s0, 0));
      ws.send(JSON.stringify({ type: 'delta', seq: 1, ...diffSnapshots(s0, s1) }));
      ws.send(JSON.stringify({ type: 'delta', seq: 3, ...diffSnapshots(s1, s3) })); // 2 is missing
      ws.on('message', (data) => {
        if (String(data) !== RESYNC_REQUEST) return;
        ws.send(snapshotText(s3, 3));
        ws.send(JSON.stringify({ type: 'delta', seq: 4, ...diffSnapshots(s3, s4) }));
      });
    });
    cleanups.push(() => server.close());
    const depths: number[] = [];
    const feed = new LiveFeed({
      send: (text) => socket.send(text),
      onSnapshot: (snapshot) => depths.push(snapshot.fleet.queueDepth),
    });
    const socket = new ReconnectingSocket({
      url: server.url,
      createSocket,
      onMessage: (text) => feed.handleText(text),
      onOpen: () => feed.reset(),
    });
    cleanups.push(() => socket.stop());
    socket.start();
    await waitFor(() => depths.length === 4);
    expect(depths).toEqual([s0.fleet.queueDepth, 1, 3, 4]);
    expect(server.received).toEqual([RESYNC_REQUEST]);
    expect(feed.current?.seq).toBe(4);
  });

  it('reconnects after the server drops it, and starts again from a snapshot', async () => {
    const s0 = sampleSnapshot();
    const server = await startServer((ws, index) => {
      ws.send(snapshotText(laterSnapshot(s0, index, index + 10), 100 * index));
      if (index === 0) setTimeout(() => ws.terminate(), 20);
    });
    cleanups.push(() => server.close());
    const states: ConnectionState['status'][] = [];
    const depths: number[] = [];
    const feed = new LiveFeed({ send: () => false, onSnapshot: (s) => depths.push(s.fleet.queueDepth) });
    const socket = new ReconnectingSocket({
      url: server.url,
      createSocket,
      onMessage: (text) => feed.handleText(text),
      onOpen: () => feed.reset(),
      backoff: fast,
    });
    socket.state.subscribe(() => states.push(socket.state.get().status));
    cleanups.push(() => socket.stop());
    socket.start();
    await waitFor(() => depths.length === 2);
    expect(depths).toEqual([10, 11]);
    expect(states).toEqual(['connecting', 'open', 'waiting', 'connecting', 'open']);
    expect(server.connections).toBe(2);
  });

  it('backs off exponentially while the server refuses, with jitter drawn per attempt', async () => {
    const server = await startServer(() => {}, true);
    cleanups.push(() => server.close());
    const delays: number[] = [];
    const downs: boolean[] = [];
    let nowMs = 1_000;
    const socket = new ReconnectingSocket({
      url: server.url,
      createSocket,
      onMessage: () => {},
      onDown: (info) => downs.push(info.delivered),
      backoff: fast,
      random: () => 1,
      now: () => nowMs,
    });
    socket.state.subscribe(() => {
      const state = socket.state.get();
      if (state.status === 'waiting') delays.push(state.retryAtMs - nowMs);
      nowMs += 1;
    });
    cleanups.push(() => socket.stop());
    socket.start();
    await waitFor(() => delays.length >= 4);
    socket.stop();
    expect(delays.slice(0, 4)).toEqual([20, 40, 80, 80]);
    expect(downs.slice(0, 4)).toEqual([false, false, false, false]);
  });

  it('gives up on a connection that goes silent and reconnects', async () => {
    const s0 = sampleSnapshot();
    const server = await startServer((ws, index) => ws.send(snapshotText(s0, index)));
    cleanups.push(() => server.close());
    const codes: number[] = [];
    const socket = new ReconnectingSocket({
      url: server.url,
      createSocket,
      onMessage: () => {},
      onDown: (info) => codes.push(info.code),
      silenceTimeoutMs: 150,
      backoff: fast,
    });
    cleanups.push(() => socket.stop());
    const startedAt = Date.now();
    socket.start();
    await waitFor(() => server.connections >= 2);
    expect(codes[0]).toBe(4000);
    // Gave up after the silence budget, not before (and not much later on a loaded machine).
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(150);
    expect(Date.now() - startedAt).toBeLessThan(150 + 2_000);
  });

  it('stop() closes the connection and nothing reconnects', async () => {
    const server = await startServer((ws) => ws.send(snapshotText(sampleSnapshot(), 0)));
    cleanups.push(() => server.close());
    let messages = 0;
    const socket = new ReconnectingSocket({
      url: server.url,
      createSocket,
      onMessage: () => messages++,
      backoff: fast,
    });
    socket.start();
    await waitFor(() => messages === 1);
    socket.stop();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.connections).toBe(1);
    expect(socket.state.get().status).toBe('stopped');
    expect(socket.send('x')).toBe(false);
  });
});
