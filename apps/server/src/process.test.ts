import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimulatorHandle, startSimulator } from '@lookout/ollama-sim';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type LookoutChild, spawnLookout } from './testing/process.ts';

const TOKEN = 'process-test-admin-token-0123456789';
const MODEL = 'llama3.2:1b';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let sim: SimulatorHandle | undefined;
let lookout: LookoutChild | undefined;
afterEach(async () => {
  if (lookout && lookout.child.exitCode === null && lookout.child.signalCode === null) {
    lookout.child.kill('SIGKILL');
    await lookout.exited;
  }
  lookout = undefined;
  await sim?.close();
  sim = undefined;
});

function env(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    LOOKOUT_TARGETS: `gpu=${sim!.url}`,
    LOOKOUT_DATA_DIR: dataDir,
    LOOKOUT_ADMIN_TOKEN: TOKEN,
    LOOKOUT_PROBE_INTERVAL_MS: '1000',
    LOOKOUT_GENERATION_PROBE_INTERVAL_MS: '0',
    ...extra,
  };
}

function generate(relay: string, sim: Record<string, string>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${relay}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...sim },
    body: JSON.stringify({ model: MODEL, prompt: 'hello', stream: true }),
    ...(signal ? { signal } : {}),
  });
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function historyRequests(dashboard: string): Promise<number> {
  const res = await fetch(
    `${dashboard}/api/history?target=gpu&model=${encodeURIComponent(MODEL)}&metric=requests&range=1h`,
    { headers: auth },
  );
  const body = (await res.json()) as { points: { value: number | null }[] };
  return body.points.reduce((n, p) => n + (p.value ?? 0), 0);
}

describe('the process', () => {
  it('on SIGTERM finishes the stream in progress within the drain timeout, writes history and exits 0', async () => {
    sim = await startSimulator({ numParallel: 4 });
    const dataDir = mkdtempSync(join(tmpdir(), 'lookout-sigterm-'));
    lookout = await spawnLookout(env(dataDir, { LOOKOUT_DRAIN_TIMEOUT_MS: '5000' }));
    const running = lookout;
    // 20 tokens, one every 100 ms: about 2 s, well inside the 5 s drain.
    const res = await generate(running.relay, { 'x-sim-tokens': '20', 'x-sim-token-interval-ms': '100' });
    const text = res.text();
    running.child.kill('SIGTERM');
    const lines = (await text).trim().split('\n');
    expect(lines).toHaveLength(21);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ done: true });
    expect(await running.exited).toBe(0);

    const db = new Database(join(dataDir, 'lookout.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const row = db
        .prepare("SELECT SUM(requests) AS n FROM rollups WHERE source = 'app' AND target = 'gpu'")
        .get() as { n: number };
      expect(row.n).toBe(1);
    } finally {
      db.close();
    }
  });

  it('after SIGKILL under load, restarts with the database intact: rules, alert events and history are there', async () => {
    sim = await startSimulator({ numParallel: 4 });
    const dataDir = mkdtempSync(join(tmpdir(), 'lookout-sigkill-'));
    lookout = await spawnLookout(env(dataDir));
    const first = lookout;

    const created = await fetch(`${first.dashboard}/api/rules`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        name: 'any latency',
        metric: 'latency_p50_ms',
        scope: { target: 'gpu', model: '*' },
        window: '1m',
        op: '>',
        threshold: 1,
        forSec: 0,
        minSamples: 1,
        severity: 'warning',
        notify: [],
      }),
    });
    expect(created.status).toBe(201);
    const { rule } = (await created.json()) as { rule: { id: string } };

    // Load: 6 clients in a loop of short streams until the kill.
    const stop = new AbortController();
    let finished = 0;
    const clients = Array.from({ length: 6 }, async () => {
      while (!stop.signal.aborted) {
        try {
          const res = await generate(
            first.relay,
            { 'x-sim-tokens': '5', 'x-sim-token-interval-ms': '20' },
            stop.signal,
          );
          await res.text();
          finished++;
        } catch {
          return; // the process was killed, or the test stopped the load
        }
      }
    });
    const firing = await until('the rule to fire', 15_000, async () => {
      const res = await fetch(`${first.dashboard}/api/alerts?rule=${rule.id}&state=firing`, {
        headers: auth,
      });
      const page = (await res.json()) as { events: { seq: number }[] };
      return page.events.length > 0 ? page.events : undefined;
    });
    // The history checkpoint (every 10 s) has written the minute in progress.
    const before = await until('history with calls in it', 20_000, async () => {
      const n = await historyRequests(first.dashboard);
      return n > 0 ? n : undefined;
    });
    expect(finished).toBeGreaterThan(0);

    first.child.kill('SIGKILL'); // calls in flight, rollups and alert writes may be under way
    expect(await first.exited).toBe('SIGKILL');
    stop.abort();
    await Promise.all(clients);

    const db = new Database(join(dataDir, 'lookout.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }

    lookout = await spawnLookout(env(dataDir));
    const second = lookout;
    const rules = (await (await fetch(`${second.dashboard}/api/rules`, { headers: auth })).json()) as {
      rules: { id: string }[];
    };
    expect(rules.rules.map((r) => r.id)).toContain(rule.id);
    const events = (await (
      await fetch(`${second.dashboard}/api/alerts?rule=${rule.id}`, { headers: auth })
    ).json()) as { events: { seq: number; toState: string }[] };
    expect(events.events.map((e) => e.seq)).toEqual(expect.arrayContaining(firing.map((e) => e.seq)));
    expect(await historyRequests(second.dashboard)).toBeGreaterThanOrEqual(before);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
