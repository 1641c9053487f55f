import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scriptCall } from './call-script.ts';
import { MetricsEngine } from './engine.ts';
import { escapeLabelValue, formatValue } from './prometheus.ts';
import type { TargetGauges } from './types.ts';

const PROMTOOL = '/usr/bin/promtool';

function engineWithTraffic() {
  const gauges: TargetGauges[] = [
    { name: 'gpu-1', url: 'http://127.0.0.1:11434', queueDepth: 2, inFlight: 4, maxConcurrent: 4 },
    {
      name: 'lab "b"\\east\nrack',
      url: 'http://127.0.0.1:11435',
      queueDepth: 0,
      inFlight: 1,
      maxConcurrent: 2,
    },
  ];
  const engine = new MetricsEngine({
    gauges: { targets: () => gauges },
    targetInfo: {
      info: (name) =>
        name === 'gpu-1' ? { health: 'up', loadedModels: [] } : { health: 'down', loadedModels: [] },
    },
    now: () => 20_000,
  });
  let n = 0;
  const play = (spec: Omit<Parameters<typeof scriptCall>[0], 'callId'>) => {
    for (const e of scriptCall({ callId: `c${++n}`, ...spec })) engine.onEvent(e);
  };
  for (let i = 1; i <= 100; i++) {
    play({
      startedAtMs: 1000,
      model: 'llama3.2:3b',
      queueWaitMs: 2,
      ttftMs: 50,
      totalMs: i * 10,
      evalCount: 40,
      evalDurationNs: 1e9,
    });
  }
  play({ startedAtMs: 1000, model: 'llama3.2:3b', queueWaitMs: 2, totalMs: 30, outcome: 'timeout_idle' });
  play({ startedAtMs: 1000, model: 'llama3.2:3b', queueWaitMs: 2, totalMs: 15, source: 'probe' });
  play({ startedAtMs: 1000, target: 'lab "b"\\east\nrack', model: 'qwen3:8b', queueWaitMs: 0, totalMs: 700 });
  play({ startedAtMs: 1000, totalMs: 1, outcome: 'bad_request' });
  return engine;
}

/** Sample lines as name{labels} -> value. */
function samples(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    map.set(line.slice(0, cut), line.slice(cut + 1));
  }
  return map;
}

describe('renderPrometheus', () => {
  it('exposes counters by target, model, source and outcome', () => {
    const m = samples(engineWithTraffic().renderPrometheus());
    const app = 'target="gpu-1",model="llama3.2:3b",source="app"';
    expect(m.get(`lookout_requests_total{${app},outcome="ok"}`)).toBe('100');
    expect(m.get(`lookout_requests_total{${app},outcome="timeout_idle"}`)).toBe('1');
    expect(m.get(`lookout_requests_total{${app},outcome="queue_full"}`)).toBe('0');
    expect(
      m.get('lookout_requests_total{target="gpu-1",model="llama3.2:3b",source="probe",outcome="ok"}'),
    ).toBe('1');
    expect(m.get('lookout_requests_total{target="",model="",source="app",outcome="bad_request"}')).toBe('1');
  });

  it('exposes summaries in seconds: 5-minute quantiles, _sum and _count', () => {
    const m = samples(engineWithTraffic().renderPrometheus());
    const app = 'target="gpu-1",model="llama3.2:3b",source="app"';
    // ok latencies are 10, 20, ..., 1000 ms.
    const p50 = Number(m.get(`lookout_latency_seconds{${app},quantile="0.5"}`));
    expect(Math.abs(p50 - 0.5) / 0.5).toBeLessThanOrEqual(0.01);
    const p99 = Number(m.get(`lookout_latency_seconds{${app},quantile="0.99"}`));
    expect(Math.abs(p99 - 0.99) / 0.99).toBeLessThanOrEqual(0.01);
    expect(m.get(`lookout_latency_seconds_count{${app}}`)).toBe('100');
    expect(Number(m.get(`lookout_latency_seconds_sum{${app}}`))).toBeCloseTo(50.5, 9);
    expect(m.get(`lookout_tokens_per_second{${app},quantile="0.5"}`)).toBe('40');
    expect(m.get(`lookout_ttft_seconds_count{${app}}`)).toBe('100');
    expect(m.get(`lookout_queue_wait_seconds_count{${app}}`)).toBe('101');
    // No ok probe latency with tokens: the quantiles of an empty window are NaN.
    expect(
      m.get('lookout_tokens_per_second{target="gpu-1",model="llama3.2:3b",source="probe",quantile="0.5"}'),
    ).toBe('NaN');
  });

  it('drops calls older than 5 minutes from the quantiles but not from _count', () => {
    const engine = engineWithTraffic();
    const m = samples(engine.renderPrometheus(400_000));
    const app = 'target="gpu-1",model="llama3.2:3b",source="app"';
    expect(m.get(`lookout_latency_seconds{${app},quantile="0.5"}`)).toBe('NaN');
    expect(m.get(`lookout_latency_seconds_count{${app}}`)).toBe('100');
  });

  it('exposes the gates’ gauges and target_up from the probes', () => {
    const m = samples(engineWithTraffic().renderPrometheus());
    expect(m.get('lookout_queue_depth{target="gpu-1"}')).toBe('2');
    expect(m.get('lookout_in_flight{target="gpu-1"}')).toBe('4');
    expect(m.get('lookout_max_concurrent{target="gpu-1"}')).toBe('4');
    expect(m.get('lookout_target_up{target="gpu-1"}')).toBe('1');
    expect(m.get('lookout_target_up{target="lab \\"b\\"\\\\east\\nrack"}')).toBe('0');
    expect(m.get('lookout_metrics_open_calls')).toBe('0');
    expect(m.get('lookout_metrics_anomalies_total{kind="duplicate_terminal"}')).toBe('0');
  });

  it('writes one HELP and TYPE per family, before its samples', () => {
    const text = engineWithTraffic().renderPrometheus();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(types).toContainEqual(['lookout_requests_total', 'counter']);
    expect(types).toContainEqual(['lookout_latency_seconds', 'summary']);
    expect(types).toContainEqual(['lookout_queue_depth', 'gauge']);
    expect(new Set(types.map((t) => t[0])).size).toBe(types.length);
    let family = '';
    for (const line of text.trimEnd().split('\n')) {
      const type = /^# TYPE (\S+)/.exec(line);
      if (type) family = type[1]!;
      else if (!line.startsWith('#')) expect(line.startsWith(family), line).toBe(true);
    }
    expect(text.endsWith('\n')).toBe(true);
  });

  it('escapes label values and formats special values', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(escapeLabelValue('llama3.2:3b')).toBe('llama3.2:3b');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(formatValue(0.25)).toBe('0.25');
  });

  it.skipIf(!existsSync(PROMTOOL))(
    'passes `promtool check metrics` (skipped: /usr/bin/promtool absent, apt-get install prometheus)',
    () => {
      const text = engineWithTraffic().renderPrometheus();
      const result = spawnSync(PROMTOOL, ['check', 'metrics'], {
        input: text,
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(result.error).toBeUndefined();
      expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
      expect(result.status).toBe(0);
    },
  );
});
