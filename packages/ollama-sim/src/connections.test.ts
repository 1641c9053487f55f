import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator } from './server.ts';
import { exchange, waitUntil } from './test-support.ts';
import type { SimulatorHandle } from './types.ts';

let sim: SimulatorHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('stats().connections', () => {
  it('counts open sockets and unfinished requests, back to zero when the client leaves', async () => {
    sim = await startSimulator();
    const s = sim;
    expect(s.stats().connections).toEqual({ open: 0, activeRequests: 0, queuedBytes: 0 });
    const call = exchange(s.url, '/api/generate', {
      body: { model: 'llama3.2:1b', prompt: 'hi' },
      headers: { 'x-sim-tokens': '100', 'x-sim-token-interval-ms': '20' },
    });
    await call.chunks(1);
    expect(s.stats().connections).toMatchObject({ open: 1, activeRequests: 1 });
    call.abort();
    await waitUntil(() => s.stats().connections.open === 0, 1_000, 'the socket to close');
    expect(s.stats().connections).toEqual({ open: 0, activeRequests: 0, queuedBytes: 0 });
  });

  it('a finished reply is no longer active; its kept-alive socket stays open', async () => {
    sim = await startSimulator();
    const res = await fetch(`${sim.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'hi', stream: false }),
    });
    await res.json();
    await waitUntil(() => sim!.stats().connections.activeRequests === 0, 1_000, 'the reply to finish');
    expect(sim.stats().connections.open).toBe(1);
  });

  it('queuedBytes grows when the reader stops reading (the kernel takes no more)', async () => {
    sim = await startSimulator();
    const s = sim;
    const body = JSON.stringify({ model: 'llama3.2:1b', prompt: 'long' });
    const socket = connect({ host: '127.0.0.1', port: s.port });
    socket.pause(); // reads nothing
    socket.write(
      `POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n` +
        `x-sim-tokens: 100000\r\nx-sim-token-interval-ms: 0\r\n\r\n${body}`,
    );
    try {
      await waitUntil(() => s.stats().connections.queuedBytes > 1_000_000, 10_000, 'unsent bytes to pile up');
    } finally {
      socket.destroy();
    }
    await waitUntil(() => s.stats().connections.open === 0, 1_000, 'the socket to close');
    expect(s.stats().connections.queuedBytes).toBe(0);
  });
});
