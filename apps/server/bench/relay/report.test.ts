import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LatencyCell, LatencyRound } from './phase-latency.ts';
import { parsePlan } from './plan.ts';
import { topSelfTime } from './profile-top.ts';
import { renderReport } from './report.ts';

function round(p50: number, p99: number): LatencyRound {
  return { p50, p99, errors: 0, sendLagP99Ms: 0.5, answeredPerSec: 1000 };
}

describe('renderReport', () => {
  const parsed = parsePlan(['--connections', '200']);
  if (!parsed.ok) throw new Error(parsed.message);
  const header = {
    machine: 'test machine',
    command: 'pnpm bench -- relay',
    date: '2026-01-01T00:00:00.000Z',
    setup: [],
  };

  it('states machine, command and date, and takes added latency round by round', () => {
    const latency: LatencyCell[] = [
      { target: 'direct', connections: 200, rounds: [round(1, 3), round(2, 9), round(1.5, 4)] },
      { target: 'lookout', connections: 200, rounds: [round(1.5, 5), round(2.2, 20), round(2.5, 6)] },
    ];
    const md = renderReport({ plan: parsed.plan, header, latency });
    expect(md).toContain('- Machine: test machine');
    expect(md).toContain('- Command: `pnpm bench -- relay`');
    expect(md).toContain('- Date: 2026-01-01T00:00:00.000Z');
    // p50 medians: direct 1.5, lookout 2.2; added per round: 0.5, 0.2, 1.0 -> median 0.5.
    expect(md).toContain(
      '| 200 | lookout | 2.20 | 6.00 | +0.500 (+0.200…+1.00) | +2.00 (+2.00…+11.00) | 1,000 | 0 |',
    );
    expect(md).toContain('added p50 ≤ 1 ms: 0.500 ms, met; added p99 ≤ 5 ms: 2.00 ms, met.');
  });

  it('says when a target is not met and lists the first errors', () => {
    const latency: LatencyCell[] = [
      { target: 'direct', connections: 200, rounds: [round(1, 3)] },
      {
        target: 'lookout',
        connections: 200,
        rounds: [{ ...round(3, 30), errors: 2, firstError: 'status 503' }],
      },
    ];
    const md = renderReport({ plan: parsed.plan, header, latency });
    expect(md).toContain('added p50 ≤ 1 ms: 2.00 ms, **not met**');
    expect(md).toContain('- latency 200 conns lookout: status 503');
  });
});

describe('topSelfTime', () => {
  it('gives self and total time per function, idle left out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'profile-top-'));
    const frame = (functionName: string, lineNumber: number) => ({
      functionName,
      url: 'file:///opt/app/server.js',
      lineNumber,
      columnNumber: 4,
    });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', 0), children: [2, 4] },
        { id: 2, callFrame: frame('handle', 9), children: [3] },
        { id: 3, callFrame: frame('parse', 19) },
        { id: 4, callFrame: { ...frame('(idle)', 0), url: '' } },
      ],
      // handle: 100 us self; parse: 300 us self (inside handle); idle: 600 us, left out.
      samples: [2, 3, 3, 4, 3, 4],
      timeDeltas: [100, 100, 100, 300, 100, 300],
    };
    const file = join(dir, 'x.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    const { totalMs, rows } = topSelfTime(file, 5);
    expect(totalMs).toBeCloseTo(0.4, 6);
    expect(rows[0]).toMatchObject({ functionName: 'parse', selfPercent: 75, totalPercent: 75 });
    expect(rows[0]?.location).toBe('/opt/app/server.js:20:5');
    expect(rows[1]).toMatchObject({ functionName: 'handle', selfPercent: 25, totalPercent: 100 });
    expect(rows.some((r) => r.functionName === '(idle)')).toBe(false);
  });
});
