import { describe, expect, it } from 'vitest';
import { ApiErrorSchema } from './errors.ts';
import type { ServerMessage } from './messages.ts';
import { applyDelta, diffSnapshots, ServerMessageSchema } from './messages.ts';
import type { Snapshot } from './snapshot.ts';
import { sampleSnapshot, sampleStats, sampleTarget } from './test-fixtures.ts';

const alertEvent = {
  id: 'ev-1',
  ruleId: 'r1',
  ruleName: 'p95 latency',
  metric: 'latency_p95_ms',
  severity: 'warning',
  scope: { target: 'gpu-1', model: '*' },
  from: 'pending',
  to: 'firing',
  value: 1650,
  threshold: 1500,
  at: '2025-11-22T17:00:40.000Z',
} as const;

const valid: ServerMessage[] = [
  { type: 'snapshot', seq: 0, data: sampleSnapshot() },
  {
    type: 'delta',
    seq: 1,
    at: '2025-11-22T17:00:02.000Z',
    targets: [sampleTarget('gpu-1')],
    removedTargets: ['gpu-9'],
    fleet: sampleStats(),
    alerts: [],
  },
  { type: 'alert', event: alertEvent },
  { type: 'test_prompt', runId: 'run-1', event: 'token', text: 'Hel' },
  {
    type: 'test_prompt',
    runId: 'run-1',
    event: 'done',
    target: 'gpu-1',
    timings: {
      totalMs: 812.4,
      queueWaitMs: 0.2,
      ttftMs: 95.1,
      tokensPerSec: 41.7,
      loadMs: 3.1,
      promptEvalMs: 12.5,
      evalMs: 767.3,
      promptEvalCount: 9,
      evalCount: 32,
    },
  },
  {
    type: 'test_prompt',
    runId: 'run-2',
    event: 'error',
    outcome: 'timeout_first_byte',
    code: 'LOOKOUT_FIRST_BYTE_TIMEOUT',
    message: 'no response headers within 120000 ms',
  },
  { type: 'error', code: 'slow_consumer', message: 'fell behind; a fresh snapshot follows' },
];

describe('ServerMessageSchema', () => {
  it('accepts every kind of message through JSON', () => {
    for (const message of valid) {
      expect(ServerMessageSchema.parse(JSON.parse(JSON.stringify(message)))).toEqual(message);
    }
  });

  it('rejects an unknown type, a missing seq and a wrong nested event', () => {
    expect(ServerMessageSchema.safeParse({ type: 'hello', seq: 1 }).success).toBe(false);
    expect(ServerMessageSchema.safeParse({ type: 'snapshot', data: sampleSnapshot() }).success).toBe(false);
    expect(
      ServerMessageSchema.safeParse({ type: 'test_prompt', runId: 'r', event: 'progress' }).success,
    ).toBe(false);
    expect(
      ServerMessageSchema.safeParse({
        type: 'test_prompt',
        runId: 'r',
        event: 'error',
        outcome: 'ok',
        code: 'x',
        message: '',
      }).success,
    ).toBe(false);
    expect(
      ServerMessageSchema.safeParse({ type: 'alert', event: { ...alertEvent, to: 'burning' } }).success,
    ).toBe(false);
    expect(ServerMessageSchema.safeParse({ type: 'error', message: 'no code' }).success).toBe(false);
  });

  it('narrows on type', () => {
    const parsed = ServerMessageSchema.parse(valid[3]);
    if (parsed.type === 'test_prompt' && parsed.event === 'token') expect(parsed.text).toBe('Hel');
    else expect.unreachable('expected a test_prompt token');
  });
});

describe('diffSnapshots / applyDelta', () => {
  const prev = sampleSnapshot();

  function evolve(snapshot: Snapshot): Snapshot {
    const [first, second] = snapshot.targets;
    if (!first || !second) throw new Error('fixture has two targets');
    return {
      ...snapshot,
      at: '2025-11-22T17:00:02.000Z',
      // gpu-1 changes, gpu-2 stays, gpu-3 joins
      targets: [{ ...first, queueDepth: 7 }, second, sampleTarget('gpu-3')],
      fleet: sampleStats(9),
      alerts: [],
    };
  }

  it('sends only the changed and new targets, and applying it rebuilds the next snapshot', () => {
    const next = evolve(prev);
    const delta = diffSnapshots(prev, next);
    expect(delta.targets.map((t) => t.name)).toEqual(['gpu-1', 'gpu-3']);
    expect(delta.removedTargets).toEqual([]);
    expect(applyDelta(prev, delta)).toEqual(next);
    expect(prev).toEqual(sampleSnapshot());
  });

  it('removes targets that left', () => {
    const next = { ...prev, targets: prev.targets.slice(1) };
    const delta = diffSnapshots(prev, next);
    expect(delta).toMatchObject({ targets: [], removedTargets: ['gpu-1'] });
    expect(applyDelta(prev, delta)).toEqual(next);
  });

  it('is empty of targets when nothing changed', () => {
    expect(diffSnapshots(prev, sampleSnapshot()).targets).toEqual([]);
  });
});

describe('ApiErrorSchema', () => {
  it('accepts the REST error body with and without fields', () => {
    expect(ApiErrorSchema.safeParse({ error: { code: 'not_found', message: 'no rule r9' } }).success).toBe(
      true,
    );
    const body = {
      error: {
        code: 'invalid_rule',
        message: 'forSec must be >= 0',
        fields: { forSec: 'forSec must be >= 0' },
      },
    };
    expect(ApiErrorSchema.parse(body)).toEqual(body);
  });

  it('rejects the shapes the house avoids', () => {
    expect(ApiErrorSchema.safeParse({ ok: false, msg: 'boom' }).success).toBe(false);
    expect(ApiErrorSchema.safeParse({ error: 'boom' }).success).toBe(false);
    expect(ApiErrorSchema.safeParse({ error: { message: 'no code' } }).success).toBe(false);
  });
});
