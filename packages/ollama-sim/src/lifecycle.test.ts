import { describe, expect, it } from 'vitest';
import { startSimulator } from './server.ts';
import { exchange, fetchRaw, waitUntil } from './test-support.ts';

function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

describe('close()', () => {
  it('leaves no timer, socket or server behind, whatever was in flight', async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = resourceCounts();
    const sim = await startSimulator({
      keepAliveMs: 60_000,
      loadTimeMs: 100,
      faults: [
        { kind: 'stall', model: 'nomic-embed-text', afterChunks: 0 },
        { kind: 'http_503', model: 'qwen2:0.5b', forMs: 60_000 },
      ],
      models: ['llama3.2:1b', 'nomic-embed-text', 'qwen2:0.5b'],
    });
    await fetchRaw(sim.url, '/api/generate', { body: { model: 'llama3.2:1b', prompt: 'p', stream: false } });
    const streaming = exchange(sim.url, '/api/generate', {
      body: { model: 'llama3.2:1b', prompt: 'p' },
      headers: { 'x-sim-tokens': '1000', 'x-sim-token-interval-ms': '50' },
    });
    const stalled = exchange(sim.url, '/api/embed', { body: { model: 'nomic-embed-text', input: 'x' } });
    const waiting = exchange(sim.url, '/api/generate', { body: { model: 'llama3.2:1b', prompt: 'p' } });
    await streaming.chunks(1);
    await waitUntil(() => sim.stats().models['llama3.2:1b']?.waiting === 1, 2000, 'a slot waiter');
    await waitUntil(() => sim.stats().models['nomic-embed-text']?.loaded === true, 2000, 'the stalled embed');
    expect(sim.stats().models['llama3.2:1b']?.loaded).toBe(true);

    await sim.close();
    await Promise.allSettled([streaming.reply, stalled.reply, waiting.reply]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Nothing of any kind (Timeout, TCPSocketWrap, TCPServerWrap, ...) is left above what was there before.
    const after = resourceCounts();
    const grown = Object.keys(after).filter((kind) => (after[kind] ?? 0) > (before[kind] ?? 0));
    expect(grown, JSON.stringify({ before, after })).toEqual([]);
    expect(sim.stats().cancellations).toEqual([]);
  });

  it('can be called twice', async () => {
    const sim = await startSimulator();
    await sim.close();
    await sim.close();
  });
});
