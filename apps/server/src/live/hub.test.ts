import { EventEmitter } from 'node:events';
import type { Snapshot } from '@lookout/contracts';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { createLogger } from '../log.ts';
import { LiveHub } from './hub.ts';

/** A socket whose send buffer the test controls. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: { type: string; seq: number }[] = [];
  terminated = false;
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  ping(): void {}
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.terminated = true;
  }
}

function snapshotAt(n: number): Snapshot {
  const window = {
    requests: n,
    outcomes: {},
    timeouts: 0,
    latencyMs: null,
    ttftMs: null,
    queueWaitMs: null,
    tokensPerSec: null,
  };
  const stats = { queueDepth: 0, inFlight: 0, windows: { '1m': window, '5m': window, '15m': window } };
  return {
    at: new Date(1_700_000_000_000 + n * 1000).toISOString(),
    targets: [],
    fleet: stats,
    alerts: [],
  } as unknown as Snapshot;
}

describe('LiveHub', () => {
  it('sends a snapshot first, then deltas with consecutive seq', () => {
    let n = 0;
    const hub = new LiveHub({ buildSnapshot: () => snapshotAt(n++), log: createLogger('silent') });
    const ws = new FakeSocket();
    hub.attach(ws as unknown as WebSocket);
    hub.tick();
    hub.tick();
    expect(ws.sent.map((m) => m.type)).toEqual(['snapshot', 'delta', 'delta']);
    expect(ws.sent.map((m) => m.seq)).toEqual([0, 1, 2]);
  });

  it('a backed-up client skips deltas, then gets one fresh snapshot when drained', () => {
    let n = 0;
    const hub = new LiveHub({
      buildSnapshot: () => snapshotAt(n++),
      log: createLogger('silent'),
      maxBufferedBytes: 100,
    });
    const slow = new FakeSocket();
    const fast = new FakeSocket();
    hub.attach(slow as unknown as WebSocket);
    hub.attach(fast as unknown as WebSocket);
    slow.bufferedAmount = 1_000;
    hub.tick();
    hub.tick();
    hub.tick();
    expect(slow.sent.map((m) => m.type)).toEqual(['snapshot']);
    slow.bufferedAmount = 50; // draining but not empty: still nothing new
    hub.tick();
    expect(slow.sent).toHaveLength(1);
    slow.bufferedAmount = 0;
    hub.tick();
    expect(slow.sent.map((m) => m.type)).toEqual(['snapshot', 'snapshot']);
    expect(slow.sent[1]!.seq).toBe(5);
    hub.tick();
    expect(slow.sent.map((m) => m.type)).toEqual(['snapshot', 'snapshot', 'delta']);
    expect(fast.sent.map((m) => m.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(hub.counters.deltasSkipped).toBe(4);
  });

  it('drops a client that stopped answering pings', () => {
    const hub = new LiveHub({ buildSnapshot: () => snapshotAt(0), log: createLogger('silent') });
    const ws = new FakeSocket();
    hub.attach(ws as unknown as WebSocket);
    (hub as unknown as { ping(): void }).ping();
    expect(ws.terminated).toBe(false);
    (hub as unknown as { ping(): void }).ping();
    expect(ws.terminated).toBe(true);
    expect(hub.clientCount).toBe(0);
  });

  it('does no work with nobody connected', () => {
    let builds = 0;
    const hub = new LiveHub({
      buildSnapshot: () => {
        builds++;
        return snapshotAt(0);
      },
      log: createLogger('silent'),
    });
    hub.tick();
    hub.tick();
    expect(builds).toBe(0);
  });
});
