import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from './store/index.ts';
import { type Fleet, startFleet, waitFor } from './testing/harness.ts';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close().catch(() => {});
  fleet = undefined;
});

const MODEL = 'llama3.2:1b';

/** A streamed /api/generate whose timings the simulator takes from headers. */
function generate(relay: string, sim: Record<string, string>): Promise<Response> {
  return fetch(`${relay}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...sim },
    body: JSON.stringify({ model: MODEL, prompt: 'hello', stream: true }),
  });
}

/** Outcomes of application calls counted so far, leaving out the zeros. */
function appOutcomes(f: Fleet): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const series of f.lookout.metrics.requestTotals()) {
    if (series.source !== 'app') continue;
    for (const [outcome, n] of Object.entries(series.outcomes)) {
      if (n > 0) totals[outcome] = (totals[outcome] ?? 0) + n;
    }
  }
  return totals;
}

describe('graceful shutdown', () => {
  it('refuses new calls, lets short ones finish, ends the rest Ollama-shaped at the drain timeout, then writes history', async () => {
    fleet = await startFleet([{ numParallel: 4 }], { maxConcurrent: 3 });
    const f = fleet;
    const dataDir = f.lookout.store.location.replace(/\/[^/]+$/, '');

    // A stream far longer than the drain, one that ends within it, and one still waiting for its first token.
    const long = generate(f.relay, { 'x-sim-tokens': '400', 'x-sim-token-interval-ms': '25' });
    const short = generate(f.relay, { 'x-sim-tokens': '10', 'x-sim-token-interval-ms': '100' });
    const waiting = generate(f.relay, { 'x-sim-ttft-ms': '20000' });
    await waitFor(() => f.lookout.registry.all[0]!.gate.inFlight === 3, 5000, 'three calls in flight');
    const longText = long.then((r) => r.text());
    const shortText = short.then((r) => r.text());

    const startedAt = performance.now();
    const closing = f.lookout.close({ drainTimeoutMs: 1500 });
    // The listener is closed at once: a new connection is refused.
    await expect(fetch(`${f.relay}/api/version`)).rejects.toThrow();

    const shortBody = await shortText;
    expect(shortBody.trim().split('\n').at(-1)).toContain('"done":true');

    const waitingRes = await waiting;
    expect(waitingRes.status).toBe(503);
    expect(waitingRes.headers.get('retry-after')).toBe('5');
    const waitingBody = (await waitingRes.json()) as { error: string };
    expect(waitingBody.error).toMatch(/^lookout: shutting down/);

    const lines = (await longText).trim().split('\n');
    expect(lines.length).toBeGreaterThan(10); // tokens went out before the cut
    const last = JSON.parse(lines.at(-1)!) as { error?: string; done?: boolean };
    expect(last.error).toMatch(/shutting down/);
    expect(last.done).toBeUndefined();

    const result = await closing;
    const elapsedMs = performance.now() - startedAt;
    expect(result).toEqual({ openAtStart: 3, cutOff: 2 });
    expect(elapsedMs).toBeGreaterThanOrEqual(1400);
    expect(elapsedMs).toBeLessThan(1500 + 2500);
    expect(appOutcomes(f)).toEqual({ ok: 1, timeout_total: 2 });

    // The simulator saw both cut calls cancelled and holds no slot.
    const sim = f.sims[0]!;
    await waitFor(() => sim.stats().cancellations.length >= 2, 2000, 'cancellations upstream');

    // The minute so far was written before the database closed.
    const store = openStore(dataDir);
    try {
      const rows = [
        ...store.rollups.readCounts({
          target: 'sim0',
          model: MODEL,
          source: 'app',
          fromMs: 0,
          toMs: Date.now() + 60_000,
        }),
      ];
      expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(3);
    } finally {
      store.close();
    }
  });

  it('answers a call pipelined on a busy connection during the drain with 503 and Connection: close', async () => {
    fleet = await startFleet([{ numParallel: 4 }], { maxConcurrent: 2 });
    const f = fleet;
    const { port } = new URL(f.relay);
    const socket = connect(Number(port), '127.0.0.1');
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      raw += d;
    });
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const body = JSON.stringify({ model: MODEL, prompt: 'hello', stream: true });
    socket.write(
      'POST /api/generate HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n' +
        `x-sim-tokens: 200\r\nx-sim-token-interval-ms: 20\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await waitFor(() => raw.includes('"response"'), 5000, 'the first tokens');
    const closing = f.lookout.close({ drainTimeoutMs: 800 });
    await waitFor(() => f.lookout.registry.all[0]!.gate.inFlight === 1, 1000, 'the stream still in flight');
    socket.write('GET /api/version HTTP/1.1\r\nHost: relay\r\n\r\n');
    await ended; // the server closes the connection after the 503
    const second = raw.slice(raw.indexOf('HTTP/1.1 503'));
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second.toLowerCase()).toContain('connection: close');
    expect(second).toContain('"error":"lookout: shutting down"');
    // The stream before it was cut at the drain timeout with Ollama's error line.
    expect(raw.slice(0, raw.indexOf('HTTP/1.1 503'))).toMatch(/\{"error":"[^"]*shutting down/);
    expect(await closing).toEqual({ openAtStart: 1, cutOff: 1 });
  });
});
