import type { Snapshot, TargetConcurrency } from '@lookout/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, startFleet, TEST_ADMIN_TOKEN } from '../testing/harness.ts';

const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };
let fleets: Fleet[] = [];
afterEach(async () => {
  for (const f of fleets) await f.close();
  fleets = [];
});

interface PinReply {
  concurrency: TargetConcurrency;
  error: { code: string; message: string; fields: Record<string, string> };
}

async function pin(f: Fleet, target: string, body: unknown): Promise<{ status: number; body: PinReply }> {
  const res = await fetch(`${f.dashboard}/api/targets/${target}/concurrency`, {
    method: 'PUT',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as PinReply };
}

describe('pinning a concurrency limit', () => {
  it('holds the limit by hand, shows it in the snapshot and /metrics, keeps it across a restart, and unpins', async () => {
    const first = await startFleet([{}], { maxConcurrent: 4 });
    fleets.push(first);
    const dataDir = first.lookout.store.location.replace(/\/[^/]+$/, '');

    const pinned = await pin(first, 'sim0', { pin: 7 });
    expect(pinned.status).toBe(200);
    expect(pinned.body.concurrency).toMatchObject({ mode: 'pinned', limit: 7 });
    expect(pinned.body.concurrency.changes.at(-1)).toMatchObject({ from: 4, to: 7, reason: 'pinned' });
    expect(first.lookout.registry.get('sim0')!.gate.limits.maxConcurrent).toBe(7);

    const snapshot = (await (await fetch(`${first.dashboard}/api/snapshot`, { headers })).json()) as Snapshot;
    expect(snapshot.targets[0]).toMatchObject({
      maxConcurrent: 7,
      concurrency: { mode: 'pinned', limit: 7 },
    });
    const metrics = await (await fetch(`${first.dashboard}/metrics`, { headers })).text();
    expect(metrics).toContain('lookout_max_concurrent{target="sim0"} 7');
    expect(metrics).toContain('lookout_concurrency_mode{target="sim0",mode="pinned"} 1');
    expect(metrics).toContain('lookout_concurrency_mode{target="sim0",mode="static"} 0');
    expect(metrics).toMatch(/lookout_concurrency_changes_total\{target="sim0"\} 1\b/);

    await first.close();
    fleets = [];
    const second = await startFleet([{}], { maxConcurrent: 4, dataDir });
    fleets.push(second);
    expect(second.lookout.registry.get('sim0')!.concurrency.describe()).toMatchObject({
      mode: 'pinned',
      limit: 7,
    });

    const unpinned = await pin(second, 'sim0', { pin: null });
    expect(unpinned.status).toBe(200);
    expect(unpinned.body.concurrency).toMatchObject({ mode: 'static', limit: 4 });
    const listed = (await (await fetch(`${second.dashboard}/api/targets`, { headers })).json()) as {
      targets: { concurrency: TargetConcurrency }[];
    };
    expect(listed.targets[0]?.concurrency).toMatchObject({ mode: 'static', limit: 4 });
  });

  it('an adaptive target unpinned learns on from the pinned limit', async () => {
    const f = await startFleet([{}], {
      concurrency: 'adaptive',
      adaptiveMinConcurrent: 1,
      adaptiveMaxConcurrent: 10,
    });
    fleets.push(f);
    expect((await pin(f, 'sim0', { pin: 5 })).body.concurrency).toMatchObject({ mode: 'pinned', limit: 5 });
    const back = (await pin(f, 'sim0', { pin: null })).body.concurrency;
    expect(back).toMatchObject({ mode: 'adaptive', limit: 5, minLimit: 1, maxLimit: 10 });
  });

  it('refuses a bad body naming the field, and an unknown target', async () => {
    const f = await startFleet([{}]);
    fleets.push(f);
    for (const body of [{ pin: 0 }, { pin: 2.5 }, { pin: '3' }, {}]) {
      const res = await pin(f, 'sim0', body);
      expect(res.status).toBe(400);
      expect(res.body.error.fields.pin).toMatch(/pin must be a whole number from 1 to 1024, or null/);
    }
    const extra = await pin(f, 'sim0', { pin: 2, limit: 3 });
    expect(extra.status).toBe(400);
    expect(Object.keys(extra.body.error.fields)).toEqual(['limit']);
    const notJson = await pin(f, 'sim0', '{pin');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('invalid_json');
    const unknown = await pin(f, 'nope', { pin: 2 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('"nope"');
    expect(f.lookout.registry.get('sim0')!.gate.limits.maxConcurrent).toBe(4);
  });
});
