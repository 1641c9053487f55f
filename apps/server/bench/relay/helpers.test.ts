import { describe, expect, it } from 'vitest';
import { countLines } from './client-ring.ts';
import { GcTrace } from './gc-trace.ts';
import { nginxConf } from './nginx-conf.ts';
import { parsePlan } from './plan.ts';
import { median, percentile } from './quantiles.ts';
import { runSchedule } from './schedule.ts';

describe('percentile and median', () => {
  it('takes the nearest rank of unsorted values', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 0.5)).toBe(5);
    expect(percentile(values, 0.99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('averages the middle pair of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('countLines', () => {
  it('counts one per newline byte, wherever the chunk boundaries fall', () => {
    expect(countLines(Buffer.from('{"a":1}\n{"b":2}\n'))).toBe(2);
    expect(countLines(Buffer.from('{"a":'))).toBe(0);
    expect(countLines(Buffer.from('\n'))).toBe(1);
  });
});

describe('runSchedule', () => {
  it('fires every event at or after its scheduled time, in order, on the fixed grid', async () => {
    const fired: { index: number; scheduledAtMs: number; atMs: number }[] = [];
    const startAtMs = performance.now() + 5;
    await runSchedule(20, 2, startAtMs, (index, scheduledAtMs) => {
      fired.push({ index, scheduledAtMs, atMs: performance.now() });
    });
    expect(fired.map((f) => f.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const f of fired) {
      expect(f.scheduledAtMs).toBeCloseTo(startAtMs + f.index * 2, 6);
      expect(f.atMs).toBeGreaterThanOrEqual(f.scheduledAtMs);
    }
  });

  it('catches up at once after a late tick instead of shifting the schedule', async () => {
    const fired: number[] = [];
    const startAtMs = performance.now() - 50; // already 50 ms late: 26 events are due at once
    await runSchedule(30, 2, startAtMs, (_i, scheduledAtMs) => fired.push(scheduledAtMs));
    expect(fired).toHaveLength(30);
    expect(fired[29]).toBeCloseTo(startAtMs + 58, 6);
  });

  it('rejects when firing throws, and resolves at once for no events', async () => {
    await expect(
      runSchedule(3, 1, performance.now(), () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(runSchedule(0, 1, performance.now() + 10_000, () => undefined)).resolves.toBeUndefined();
  });
});

describe('parsePlan', () => {
  it('defaults to the 1,000 req/s rule over 1, 50 and 200 connections, 3 rounds, every phase', () => {
    const parsed = parsePlan([]);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.plan.latency.ratePerSec).toBe(1000);
    expect(parsed.plan.latency.connectionCounts).toEqual([1, 50, 200]);
    expect(parsed.plan.rounds).toBe(3);
    expect([...parsed.plan.phases].sort()).toEqual(['capacity', 'latency', 'memory', 'streams']);
    expect(parsed.plan.outFile.endsWith('.bench/relay.md')).toBe(true);
  });

  it('reads flags, with a leading -- as pnpm passes it', () => {
    const parsed = parsePlan(['--', '--quick', '--rate', '500', '--only', 'latency,memory', '--rounds', '5']);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.plan.quick).toBe(true);
    expect(parsed.plan.latency.ratePerSec).toBe(500);
    expect(parsed.plan.rounds).toBe(5);
    expect([...parsed.plan.phases].sort()).toEqual(['latency', 'memory']);
    expect(parsed.plan.latency.measureMs).toBeLessThan(4000);
  });

  it('reads --gc and --compare-with (a checkout, whose apps/server is run)', () => {
    const parsed = parsePlan(['--gc', '--compare-with', '/tmp/before']);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.plan.gc).toBe(true);
    expect(parsed.plan.compareServerDir).toBe('/tmp/before/apps/server');
    const plain = parsePlan([]);
    expect(plain.ok && [plain.plan.gc, plain.plan.compareServerDir]).toEqual([false, undefined]);
    expect(parsePlan(['--compare-with'])).toEqual({ ok: false, message: '--compare-with needs a path' });
  });

  it('names the flag and the value it refuses', () => {
    expect(parsePlan(['--rate', 'fast'])).toEqual({
      ok: false,
      message: '--rate needs an integer >= 1, got "fast"',
    });
    expect(parsePlan(['--only', 'latency,speed'])).toMatchObject({
      ok: false,
      message: expect.stringContaining('"speed"'),
    });
    expect(parsePlan(['--loud'])).toEqual({ ok: false, message: 'unknown flag "--loud"' });
    expect(parsePlan(['--out'])).toEqual({ ok: false, message: '--out needs a path' });
  });
});

describe('GcTrace', () => {
  // Two lines as node --trace-gc-nvp prints them (fields cut down), and one that is not a GC record.
  const scavenge = (pause: number, allocated: number, survived: number): string =>
    `[1:0x1]     5788 ms: pause=${pause} mutator=276.1 gc=s reduce_memory=0 allocated=${allocated} promoted=10 new_space_survived=${survived} nodes_died_in_new=2`;

  it('counts scavenges since a mark, their pauses, and bytes per request', () => {
    const trace = new GcTrace();
    trace.onLine(scavenge(9, 1000, 500));
    const mark = trace.mark();
    trace.onLine('Lookout relay      http://127.0.0.1:1');
    trace.onLine(scavenge(2, 4000, 100));
    trace.onLine(scavenge(4, 6000, 300));
    trace.onLine('[1:0x1]     6000 ms: pause=7.5 mutator=1 gc=mc reduce_memory=0 allocated=0 promoted=0');
    const figures = trace.since(mark, 10);
    expect(figures).toEqual({
      scavenges: 2,
      fullGcs: 1,
      scavengePauseP50Ms: 2,
      scavengePauseMaxMs: 4,
      allocatedPerRequestBytes: 1000,
      survivedPerRequestBytes: 40,
    });
  });
});

describe('nginxConf', () => {
  it('is a loopback streaming proxy with upstream keep-alive and every path in its own directory', () => {
    const conf = nginxConf({
      dir: '/tmp/x',
      listenPort: 8081,
      upstreamOrigin: 'http://127.0.0.1:41234',
      workerConnections: 4096,
    });
    expect(conf).toContain('worker_processes 1;');
    expect(conf).toContain('listen 127.0.0.1:8081;');
    expect(conf).toContain('server 127.0.0.1:41234;');
    expect(conf).toContain('proxy_buffering off;');
    expect(conf).toContain('proxy_http_version 1.1;');
    expect(conf).toContain('proxy_set_header Connection "";');
    expect(conf).toMatch(/keepalive \d+;/);
    for (const line of conf.split('\n').filter((l) => /_path |^pid |error_log /.test(l.trim()))) {
      expect(line).toContain('/tmp/x/');
    }
  });
});
