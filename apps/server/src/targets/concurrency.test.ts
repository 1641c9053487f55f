import { TargetGate } from '@lookout/client-core';
import { describe, expect, it } from 'vitest';
import { ConcurrencyControl } from './concurrency.ts';

/** Every change happens on one frozen millisecond: the history and the count must still see each one. */
const frozenClock = () => 1_000;

function reasons(control: ConcurrencyControl): string[] {
  return control.describe((ms) => ms).changes.map((c) => c.reason);
}

describe('ConcurrencyControl history and changesTotal', () => {
  it('counts pins and unpins of a static limit, and lists them in order', () => {
    const gate = new TargetGate({ name: 'gpu-1', maxConcurrent: 4 });
    const control = new ConcurrencyControl(gate, { mode: 'static', limit: 4 }, frozenClock);
    control.pin(7);
    control.unpin();
    expect(control.changesTotal()).toBe(2);
    expect(control.describe((ms) => ms).changes).toMatchObject([
      { from: 4, to: 7, reason: 'pinned' },
      { from: 7, to: 4, reason: 'unpinned' },
    ]);
    expect(gate.limits.maxConcurrent).toBe(4);
  });

  it('counts every change of an adaptive limit but its initial one, in the order they happened', () => {
    const gate = new TargetGate({ name: 'gpu-1', maxConcurrent: 4 });
    const control = new ConcurrencyControl(
      gate,
      { mode: 'adaptive', minLimit: 2, maxLimit: 16 },
      frozenClock,
    );
    expect(control.changesTotal()).toBe(0);
    control.targetChanged('target back up');
    control.pin(6);
    control.unpin();
    expect(reasons(control)).toEqual(['initial', 'reset: target back up', 'pinned', 'unpinned']);
    expect(control.changesTotal()).toBe(3);
  });

  it('keeps the newest 20 changes but counts all of them, however rarely it is read', () => {
    const gate = new TargetGate({ name: 'gpu-1', maxConcurrent: 4 });
    const control = new ConcurrencyControl(
      gate,
      { mode: 'adaptive', minLimit: 2, maxLimit: 16 },
      frozenClock,
    );
    for (let i = 0; i < 15; i++) {
      control.pin(3 + (i % 10));
      control.unpin();
      control.targetChanged(`restart ${i}`);
    }
    expect(control.changesTotal()).toBe(45);
    const kept = reasons(control);
    expect(kept).toHaveLength(20);
    expect(kept.at(-1)).toBe('reset: restart 14');
    expect(kept.at(-2)).toBe('unpinned');
    expect(kept.at(-3)).toBe('pinned');
  });
});
