import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, startFleet, waitFor } from '../testing/harness.ts';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('health probes', () => {
  it('read version, models and loaded models, and mark the target up', async () => {
    fleet = await startFleet([{ models: ['llama3.2:1b', 'nomic-embed-text'], version: '0.12.9' }]);
    const target = fleet.lookout.registry.all[0]!;
    expect(target.health).toBe('up');
    expect(target.version).toBe('0.12.9');
    expect([...target.models!].sort()).toEqual(['llama3.2:1b', 'nomic-embed-text:latest']);
    expect(target.loadedModels).toEqual([]);
    await fetch(`${fleet.relay}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'x', stream: false }),
    }).then((r) => r.text());
    await fleet.lookout.prober.probeAll();
    expect(target.loadedModels).toEqual([
      {
        name: 'llama3.2:1b',
        sizeBytes: expect.any(Number),
        sizeVramBytes: expect.any(Number),
        expiresAt: expect.any(String),
      },
    ]);
    expect(target.lastProbeAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('do not flap on one lost probe; a down target leaves routing and comes back', async () => {
    fleet = await startFleet([{}, {}]);
    const f = fleet;
    const [a, b] = f.lookout.registry.all;
    f.sims[0]!.setFaults([{ kind: 'refuse' }]);
    await f.lookout.prober.probe(a!);
    expect(a!.health).toBe('up'); // one failure is not enough
    expect(a!.lastError?.code).toBe('LOOKOUT_NETWORK');
    f.sims[0]!.clearFaults();
    await f.lookout.prober.probe(a!);
    expect(a!.health).toBe('up');
    expect(a!.lastError).toBeUndefined();

    f.sims[0]!.setFaults([{ kind: 'refuse' }]);
    await f.lookout.prober.probe(a!);
    await f.lookout.prober.probe(a!);
    expect(a!.health).toBe('down');
    expect(b!.health).toBe('up');
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${f.relay}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: 'llama3.2:1b', messages: [], stream: false }),
      });
      expect(res.headers.get('x-lookout-target')).toBe('sim1');
      await res.text();
    }
    f.sims[0]!.clearFaults();
    await f.lookout.prober.probe(a!);
    expect(a!.health).toBe('up');
    expect(a!.lastError).toBeUndefined();
  });
});

describe('generation probes', () => {
  it('measure TTFT only on a model already loaded, counted under the probe source', async () => {
    fleet = await startFleet([{ models: ['llama3.2:1b', 'nomic-embed-text'] }]);
    const f = fleet;
    const target = f.lookout.registry.all[0]!;
    const skipped = await f.lookout.generationProber.probe(target);
    expect(skipped).toMatchObject({ status: 'skipped', message: 'no generation model is loaded' });
    expect(f.sims[0]!.stats().models['llama3.2:1b']!.loads).toBe(0);

    // An embedding model loaded alone is not probed twice.
    await fetch(`${f.relay}/api/embed`, {
      method: 'POST',
      body: JSON.stringify({ model: 'nomic-embed-text', input: 'x' }),
    }).then((r) => r.text());
    await f.lookout.prober.probeAll();
    const embedTry = await f.lookout.generationProber.probe(target);
    expect(embedTry).toMatchObject({ status: 'failed', model: 'nomic-embed-text:latest' });
    expect(await f.lookout.generationProber.probe(target)).toMatchObject({ status: 'skipped' });

    await fetch(`${f.relay}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'x', stream: false }),
    }).then((r) => r.text());
    await f.lookout.prober.probeAll();
    const ok = await f.lookout.generationProber.probe(target);
    expect(ok).toMatchObject({ status: 'ok', model: 'llama3.2:1b', ttftMs: expect.any(Number) });
    const probeTotals = f.lookout.metrics
      .requestTotals()
      .filter((t) => t.source === 'probe' && t.model === 'llama3.2:1b');
    expect(probeTotals.reduce((n, t) => n + t.outcomes.ok, 0)).toBe(1);
    const snapshot = f.lookout.metrics.buildSnapshot();
    expect(snapshot.targets[0]!.models['llama3.2:1b']!.windows['1m'].requests).toBe(1); // the app call only
  });

  it('go through the gate and never run two at once on a target', async () => {
    fleet = await startFleet([{ numParallel: 4 }], { maxConcurrent: 1, maxQueue: 0 });
    const f = fleet;
    const target = f.lookout.registry.all[0]!;
    await fetch(`${f.relay}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'x', stream: false }),
    }).then((r) => r.text());
    await f.lookout.prober.probeAll();
    const busy = fetch(`${f.relay}/api/generate`, {
      method: 'POST',
      headers: { 'x-sim-ttft-ms': '400' },
      body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'x', stream: false }),
    });
    await waitFor(() => target.gate.inFlight === 1, 2_000, 'the app call in flight');
    const result = await f.lookout.generationProber.probe(target);
    expect(result).toMatchObject({ status: 'skipped', code: 'LOOKOUT_QUEUE_FULL' });
    expect(f.sims[0]!.stats().models['llama3.2:1b']!.maxInFlightSeen).toBe(1);
    await (await busy).text();

    const [first, second] = await Promise.all([
      f.lookout.generationProber.probe(target),
      f.lookout.generationProber.probe(target),
    ]);
    expect(first).toMatchObject({ status: 'ok' });
    expect(second).toBeUndefined();
  });
});
