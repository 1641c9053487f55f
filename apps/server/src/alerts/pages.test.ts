import { describe, expect, it } from 'vitest';
import { fakeClock, fakeFleet, rule } from './alert-fixture.ts';
import { AlertEvaluator } from './evaluator.ts';
import { planPages } from './pages.ts';

const HOUR = 3_600_000;

/** An evaluator with one queue-depth rule, and a step that evaluates and plans the pages. */
function setup(silencedUntil: () => number | undefined = () => undefined) {
  const clock = fakeClock();
  const fleet = fakeFleet(clock);
  const evaluator = new AlertEvaluator({ startedAtMs: clock.nowMs });
  evaluator.setRules([rule({ metric: 'queue_depth', threshold: 20, recoverThreshold: 10 })]);
  const step = (depth: number, advanceMs = 5_000) => {
    clock.advance(advanceMs);
    fleet.target('gpu-1').queueDepth = depth;
    const transitions = evaluator.evaluate(fleet.engine.buildSnapshot(), clock.nowMs);
    const pages = planPages(transitions, evaluator.list(), {
      nowMs: clock.nowMs,
      repeatIntervalMs: HOUR,
      silencedUntil,
    });
    return pages.map((p) => p.kind);
  };
  return { clock, evaluator, step };
}

describe('planPages', () => {
  it('pages a firing alert once, repeats it after the interval, and sends one resolution', () => {
    const { step, evaluator } = setup();
    expect(step(30)).toEqual(['firing']);
    expect(step(30)).toEqual([]);
    expect(step(30, HOUR - 10_000)).toEqual([]);
    expect(step(30, 5_000)).toEqual(['repeat']);
    expect(step(30, 5_000)).toEqual([]);
    expect(step(5)).toEqual(['resolved']);
    expect(step(5)).toEqual([]);
    expect(evaluator.list()[0]).toMatchObject({ state: 'ok', notifiedAtMs: null });
  });

  it('holds the page of an alert that fires during a silence until the silence ends', () => {
    let silenced = true;
    const { step } = setup(() => (silenced ? Number.MAX_SAFE_INTEGER : undefined));
    expect(step(30)).toEqual([]);
    expect(step(30)).toEqual([]);
    silenced = false;
    expect(step(30)).toEqual(['firing']);
  });

  it('sends no resolution for an incident that was never paged, and always one for a paged incident', () => {
    let silenced = true;
    const quiet = setup(() => (silenced ? Number.MAX_SAFE_INTEGER : undefined));
    expect(quiet.step(30)).toEqual([]);
    expect(quiet.step(5)).toEqual([]);

    silenced = false;
    const paged = setup(() => (silenced ? Number.MAX_SAFE_INTEGER : undefined));
    expect(paged.step(30)).toEqual(['firing']);
    silenced = true; // muted after the page: no repeats, but the page still gets closed
    expect(paged.step(30, 2 * HOUR)).toEqual([]);
    expect(paged.step(5)).toEqual(['resolved']);
  });
});
