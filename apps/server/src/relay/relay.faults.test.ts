import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, startFleet, waitFor } from '../testing/harness.ts';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const chatBody = (stream: boolean) =>
  JSON.stringify({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }], stream });

describe('failover', () => {
  it('every call succeeds while one of two targets refuses connections', async () => {
    fleet = await startFleet([{ numParallel: 4 }, { numParallel: 4 }], { maxRetries: 2 });
    const f = fleet;
    // Both start up; then one goes away without the prober noticing yet.
    f.sims[1]!.setFaults([{ kind: 'refuse' }]);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${f.relay}/api/chat`, { method: 'POST', body: chatBody(false) }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(results.every((r) => r.headers.get('x-lookout-target') === 'sim0')).toBe(true);
    await Promise.all(results.map((r) => r.text()));
    const totals = f.lookout.metrics.requestTotals().filter((t) => t.source === 'app');
    const ok = totals.reduce((n, t) => n + t.outcomes.ok, 0);
    expect(ok).toBe(20);
  });

  it('502 in Ollama shape when no target can be reached', async () => {
    fleet = await startFleet([{}], { maxRetries: 1 });
    fleet.sims[0]!.setFaults([{ kind: 'refuse' }]);
    const res = await fetch(`${fleet.relay}/api/chat`, { method: 'POST', body: chatBody(true) });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toMatch(/^lookout: network error ECONNREFUSED/);
  });
});

describe('timeouts at the relay', () => {
  it('a hang before headers gets 504 at the first-byte budget (streaming)', async () => {
    fleet = await startFleet([{}], { firstByteTimeoutMs: 300, maxRetries: 0 });
    fleet.sims[0]!.setFaults([{ kind: 'hang', model: 'llama3.2:1b' }]);
    const started = performance.now();
    const res = await fetch(`${fleet.relay}/api/chat`, { method: 'POST', body: chatBody(true) });
    const tookMs = performance.now() - started;
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: string }).error).toMatch(/first-byte timeout after 300 ms/);
    expect(tookMs).toBeGreaterThanOrEqual(290);
    expect(tookMs).toBeLessThan(800);
  });

  it('a non-streaming call waits its total budget for the whole answer, then 504', async () => {
    fleet = await startFleet([{}], { firstByteTimeoutMs: 100, totalTimeoutMs: 500, maxRetries: 0 });
    fleet.sims[0]!.setFaults([{ kind: 'hang', model: 'llama3.2:1b' }]);
    const started = performance.now();
    const res = await fetch(`${fleet.relay}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'x' }] }),
    });
    const tookMs = performance.now() - started;
    expect(res.status).toBe(504);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error.message).toMatch(/total timeout after 500 ms/);
    expect(tookMs).toBeGreaterThanOrEqual(490);
    expect(tookMs).toBeLessThan(1_200);
  });

  it('a stall mid-stream ends the stream with an error line, which ollama-js throws', async () => {
    fleet = await startFleet([{}], { idleTimeoutMs: 300 });
    fleet.sims[0]!.setFaults([{ kind: 'stall', model: 'llama3.2:1b', afterChunks: 2 }]);
    const res = await fetch(`${fleet.relay}/api/chat`, { method: 'POST', body: chatBody(true) });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2]!)).toEqual({ error: expect.stringMatching(/idle timeout after 300 ms/) });

    const client = new Ollama({ host: fleet.relay });
    const stream = await client.chat({
      model: 'llama3.2:1b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    await expect(async () => {
      for await (const _ of stream) {
        // reading until the error line
      }
    }).rejects.toThrow(/idle timeout/);
  });

  it('a stall mid-SSE-stream ends without [DONE] and the openai error event', async () => {
    fleet = await startFleet([{}], { idleTimeoutMs: 300 });
    fleet.sims[0]!.setFaults([{ kind: 'stall', model: 'llama3.2:1b', afterChunks: 1 }]);
    const res = await fetch(`${fleet.relay}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'llama3.2:1b',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      }),
    });
    const text = await res.text();
    expect(text).not.toContain('[DONE]');
    const events = text.split('\n\n').filter(Boolean);
    expect(JSON.parse(events.at(-1)!.replace(/^data: /, ''))).toMatchObject({
      error: { message: expect.stringMatching(/idle timeout/), type: 'api_error' },
    });
  });
});

describe('a client that leaves', () => {
  it('mid-stream: the simulator sees the cancel within 100 ms and its slot frees', async () => {
    fleet = await startFleet([{ numParallel: 1 }]);
    const f = fleet;
    const leaving = new AbortController();
    const res = await fetch(`${f.relay}/api/chat`, {
      method: 'POST',
      headers: { 'x-sim-tokens': '100', 'x-sim-token-interval-ms': '50' },
      body: chatBody(true),
      signal: leaving.signal,
    });
    const reader = res.body!.getReader();
    await reader.read(); // the first token is here
    const abortedAtMs = performance.timeOrigin + performance.now();
    leaving.abort();
    await waitFor(() => f.sims[0]!.stats().cancellations.length > 0, 2_000, 'the cancel at the simulator');
    const cancel = f.sims[0]!.stats().cancellations[0]!;
    expect(cancel.phase).toBe('generating');
    expect(cancel.atMs - abortedAtMs).toBeLessThan(100);
    await waitFor(() => f.sims[0]!.stats().models['llama3.2:1b']!.inFlight === 0, 1_000, 'the slot to free');
    const gate = f.lookout.registry.all[0]!.gate;
    await waitFor(() => gate.inFlight === 0, 1_000, 'the gate to free');
    const aborted = f.lookout.metrics
      .requestTotals()
      .find((t) => t.source === 'app' && t.outcomes.client_abort > 0);
    expect(aborted?.outcomes.client_abort).toBe(1);
  });

  it('before headers: the upstream request is closed too', async () => {
    fleet = await startFleet([{}]);
    const f = fleet;
    const leaving = new AbortController();
    const pending = fetch(`${f.relay}/api/chat`, {
      method: 'POST',
      headers: { 'x-sim-ttft-ms': '5000' },
      body: chatBody(true),
      signal: leaving.signal,
    }).catch((e: Error) => e);
    await waitFor(() => f.sims[0]!.stats().models['llama3.2:1b']!.inFlight === 1, 2_000, 'the call upstream');
    const abortedAtMs = performance.timeOrigin + performance.now();
    leaving.abort();
    expect(await pending).toBeInstanceOf(Error);
    await waitFor(() => f.sims[0]!.stats().cancellations.length > 0, 2_000, 'the cancel at the simulator');
    expect(f.sims[0]!.stats().cancellations[0]!.atMs - abortedAtMs).toBeLessThan(100);
  });
});
