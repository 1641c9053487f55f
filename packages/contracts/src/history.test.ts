import { describe, expect, it } from 'vitest';
import { validate } from './errors.ts';
import {
  HISTORY_METRICS,
  HISTORY_RANGE_MS,
  HISTORY_RANGES,
  HISTORY_STEP_MS,
  HistoryQuerySchema,
  HistoryResponseSchema,
} from './history.ts';

describe('history contracts', () => {
  it('gives every range a step that divides it into at most 200 points', () => {
    for (const range of HISTORY_RANGES) {
      const points = HISTORY_RANGE_MS[range] / HISTORY_STEP_MS[range];
      expect(Number.isInteger(points) && points <= 200).toBe(true);
      expect(HISTORY_STEP_MS[range] % 60_000).toBe(0);
    }
  });

  it('parses a query with defaults, and names each bad field', () => {
    expect(HistoryQuerySchema.parse({ metric: 'outcome:queue_full', range: '7d' })).toEqual({
      target: '*',
      model: '*',
      source: 'app',
      metric: 'outcome:queue_full',
      range: '7d',
    });
    expect(HISTORY_METRICS).toContain('latency_p99_ms');
    const bad = validate(HistoryQuerySchema, { metric: 'p99', range: 7, extra: '1' }, 'bad_request');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.error.fields ?? {}).sort()).toEqual(['extra', 'metric', 'range']);
  });

  it('accepts a response with null values and rejects a negative count', () => {
    const response = {
      target: '*',
      model: 'm',
      source: 'app',
      metric: 'latency_p95_ms',
      range: '1h',
      stepMs: 60_000,
      points: [{ t: '2025-11-22T17:00:00.000Z', value: null, count: 0 }],
    };
    expect(HistoryResponseSchema.parse(response)).toEqual(response);
    const negative = { ...response, points: [{ t: '2025-11-22T17:00:00.000Z', value: 1, count: -1 }] };
    expect(HistoryResponseSchema.safeParse(negative).success).toBe(false);
  });
});
