import type { Rule } from '@lookout/contracts';
import { describe, expect, it } from 'vitest';
import { type FakeClock, type FakeFleet, fakeClock, fakeFleet, rule } from './alert-fixture.ts';
import { AlertEvaluator } from './evaluator.ts';
import type { AlertTransition } from './types.ts';

function setup(rules: Rule[], targets?: string[]) {
  const clock = fakeClock();
  const fleet = fakeFleet(clock, targets);
  const evaluator = new AlertEvaluator({ startedAtMs: clock.nowMs });
  evaluator.setRules(rules);
  const evaluate = () => evaluator.evaluate(fleet.engine.buildSnapshot(), clock.nowMs);
  return { clock, fleet, evaluator, evaluate };
}

/** `from->to` of each transition, for compact assertions. */
const moves = (ts: readonly AlertTransition[]) =>
  ts.map((t) => `${t.record.scope.target}:${t.from}->${t.to}`);

/** Sets queue depth to each value in turn, one evaluation every 5 s; returns every transition. */
function run(s: { clock: FakeClock; fleet: FakeFleet; evaluate: () => AlertTransition[] }, depths: number[]) {
  const all: AlertTransition[] = [];
  for (const depth of depths) {
    s.fleet.target('gpu-1').queueDepth = depth;
    all.push(...s.evaluate());
    s.clock.advance(5_000);
  }
  return all;
}

describe('AlertEvaluator', () => {
  it('holds a value hovering around the threshold in firing when a recovery threshold is set', () => {
    const hovering = [25, 19, 22, 18, 21, 20, 23, 17, 22, 19];
    const steady = setup([rule({ metric: 'queue_depth', threshold: 20, recoverThreshold: 10 })]);
    const transitions = run(steady, [...hovering, 9]);
    expect(moves(transitions)).toEqual(['gpu-1:ok->firing', 'gpu-1:firing->ok']);
    const resolved = transitions[1]!;
    expect(resolved.value).toBe(9);
    expect(resolved.threshold).toBe(10);
    expect(resolved.resolvedIncidentSinceMs).toBe(transitions[0]!.atMs);
    expect(resolved.atMs - resolved.resolvedIncidentSinceMs!).toBe(hovering.length * 5_000);

    // The same series without one flaps: that is what the recovery threshold is for.
    const flapping = setup([rule({ metric: 'queue_depth', threshold: 20 })]);
    expect(run(flapping, hovering).filter((t) => t.to === 'firing')).toHaveLength(5);
  });

  it('waits forSec in pending before firing, and a dip below the threshold starts the wait again', () => {
    const s = setup([rule({ metric: 'queue_depth', threshold: 20, forSec: 60 })]);
    const depths = [25, ...Array(11).fill(25), 5, ...Array(12).fill(25), 25];
    const transitions = run(s, depths);
    const at = (t: AlertTransition) => (t.atMs - transitions[0]!.atMs) / 1000;
    expect(transitions.map((t) => `${at(t)}s ${t.from}->${t.to}`)).toEqual([
      '0s ok->pending',
      '60s pending->ok', // 55 s of 60 were not enough
      '65s ok->pending',
      '125s pending->firing',
    ]);
  });

  it('is no_data when fewer calls than minSamples back the value, and evaluates once there are enough', () => {
    const s = setup([rule({ metric: 'latency_p95_ms', threshold: 1_000, minSamples: 5 })]);
    s.fleet.play(...Array(3).fill({ totalMs: 2_000 }));
    const first = s.evaluate();
    expect(moves(first)).toEqual(['gpu-1:ok->no_data']);
    expect(first[0]!.value).toBeCloseTo(2_000, -2);
    s.clock.advance(5_000);
    s.fleet.play(...Array(2).fill({ totalMs: 2_000 }));
    expect(moves(s.evaluate())).toEqual(['gpu-1:no_data->firing']);
    // A rule on a gauge always has its one sample.
    const gauge = setup([rule({ metric: 'in_flight', threshold: 3, minSamples: 1 })]);
    expect(gauge.evaluate()).toEqual([]);
    expect(gauge.evaluator.list()[0]).toMatchObject({ state: 'ok', value: 0 });
  });

  it('gives a rule scoped * one alert per target, and no_data for a target of unknown health', () => {
    const s = setup([rule({ metric: 'target_down', threshold: 0.5 })], ['gpu-1', 'gpu-2', 'gpu-3']);
    s.fleet.target('gpu-2').health = 'down';
    s.fleet.target('gpu-3').health = 'unknown';
    expect(moves(s.evaluate())).toEqual(['gpu-2:ok->firing', 'gpu-3:ok->no_data']);
    expect(s.evaluator.list().map((r) => [r.scope, r.state, r.value])).toEqual([
      [{ target: 'gpu-1', model: '*' }, 'ok', 0],
      [{ target: 'gpu-2', model: '*' }, 'firing', 1],
      [{ target: 'gpu-3', model: '*' }, 'no_data', null],
    ]);
  });

  it('shows a rule on a target that is not configured as no_data instead of watching nothing', () => {
    const s = setup([rule({ metric: 'queue_depth', threshold: 5, scope: { target: 'gpu-9', model: '*' } })]);
    expect(moves(s.evaluate())).toEqual(['gpu-9:ok->no_data']);
  });

  it('keeps an incident open through a data gap: no_data, then firing again without a new incident', () => {
    const s = setup([rule({ metric: 'target_down', threshold: 0.5 })]);
    const gpu = s.fleet.target('gpu-1');
    gpu.health = 'down';
    const [fired] = s.evaluate();
    s.clock.advance(5_000);
    gpu.health = 'unknown';
    expect(moves(s.evaluate())).toEqual(['gpu-1:firing->no_data']);
    s.clock.advance(5_000);
    gpu.health = 'down';
    const back = s.evaluate();
    expect(moves(back)).toEqual(['gpu-1:no_data->firing']);
    expect(back[0]!.record.incidentSinceMs).toBe(fired!.atMs);
    s.clock.advance(5_000);
    gpu.health = 'up';
    const [resolved] = s.evaluate();
    expect(resolved).toMatchObject({ from: 'firing', to: 'ok', resolvedIncidentSinceMs: fired!.atMs });
  });

  it('does not resolve from a window that began before the process started', () => {
    const clock = fakeClock();
    const fleet = fakeFleet(clock);
    const r = rule({ metric: 'timeouts', threshold: 0, window: '5m' });
    const firing = {
      ruleId: r.id,
      scope: { target: 'gpu-1', model: '*' },
      rule: r,
      state: 'firing' as const,
      sinceMs: clock.nowMs - 60_000,
      value: 2,
      pendingSinceMs: null,
      incidentSinceMs: clock.nowMs - 60_000,
      notifiedAtMs: clock.nowMs - 60_000,
    };
    const evaluator = new AlertEvaluator({ startedAtMs: clock.nowMs, records: [firing] });
    evaluator.setRules([r]);
    for (let i = 0; i < 59; i++) {
      expect(evaluator.evaluate(fleet.engine.buildSnapshot(), clock.nowMs)).toEqual([]);
      clock.advance(5_000);
    }
    expect(evaluator.list()[0]).toMatchObject({ state: 'firing', value: 0 });
    clock.advance(5_000); // the 5-minute window now lies wholly in this process
    const [resolved] = evaluator.evaluate(fleet.engine.buildSnapshot(), clock.nowMs);
    expect(resolved).toMatchObject({ from: 'firing', to: 'ok', value: 0 });
  });

  it('resolves the alerts of a rule that is disabled, removed or changes what it measures', () => {
    const r = rule({ metric: 'queue_depth', threshold: 5 });
    const s = setup([r], ['gpu-1', 'gpu-2']);
    s.fleet.target('gpu-1').queueDepth = 9;
    expect(moves(s.evaluate())).toEqual(['gpu-1:ok->firing']);
    s.evaluator.setRules([{ ...r, enabled: false }]);
    const ended = s.evaluate();
    expect(moves(ended)).toEqual(['gpu-1:firing->ok']);
    expect(ended[0]).toMatchObject({ value: null, resolvedIncidentSinceMs: expect.any(Number) });
    expect(s.evaluator.list()).toEqual([]);

    s.evaluator.setRules([r]);
    s.evaluate();
    s.evaluator.setRules([{ ...r, metric: 'in_flight' }]);
    expect(moves(s.evaluate())).toEqual(['gpu-1:firing->ok']);
    expect(s.evaluator.list().map((x) => [x.rule.metric, x.state])).toEqual([
      ['in_flight', 'ok'],
      ['in_flight', 'ok'],
    ]);
  });

  it('reads each metric from the snapshot as documented', () => {
    const r = (part: Partial<Rule> & Pick<Rule, 'metric'>) =>
      rule({ threshold: 1e9, id: part.metric, ...part });
    const s = setup([
      r({ metric: 'error_rate', threshold: 1 - 1e-9 }),
      r({ metric: 'timeouts' }),
      r({ metric: 'latency_p50_ms' }),
      r({ metric: 'ttft_p99_ms' }),
      r({ metric: 'tokens_per_sec_p50' }),
      r({ metric: 'queue_depth', scope: { target: 'gpu-1', model: 'llama3.2:3b' } }),
      r({ metric: 'latency_p99_ms', id: 'other-model', scope: { target: 'gpu-1', model: 'qwen3:8b' } }),
    ]);
    s.fleet.target('gpu-1').models = { 'llama3.2:3b': { queueDepth: 7, inFlight: 1 } };
    const llama = { model: 'llama3.2:3b', ttftMs: 300, evalCount: 40, evalDurationNs: 2e9 };
    s.fleet.play(
      { ...llama, totalMs: 1_000 },
      { ...llama, totalMs: 1_000 },
      { ...llama, totalMs: 1_000 },
      { ...llama, totalMs: 900, outcome: 'upstream_error' },
      { ...llama, totalMs: 900, outcome: 'timeout_idle' },
      { ...llama, totalMs: 500, outcome: 'client_abort' },
    );
    s.evaluate();
    const value = (id: string) => s.evaluator.list().find((x) => x.ruleId === id)?.value;
    // 6 calls: 3 ok, 1 client_abort (not an error), 2 failures.
    expect(value('error_rate')).toBeCloseTo(2 / 6, 9);
    expect(value('timeouts')).toBe(1);
    expect(value('latency_p50_ms')).toBeCloseTo(1_000, -1);
    expect(value('ttft_p99_ms')).toBeCloseTo(300, -1);
    expect(value('tokens_per_sec_p50')).toBeCloseTo(20, 0);
    expect(value('queue_depth')).toBe(7);
    expect(s.evaluator.list().find((x) => x.ruleId === 'other-model')).toMatchObject({ state: 'no_data' });
  });
});
