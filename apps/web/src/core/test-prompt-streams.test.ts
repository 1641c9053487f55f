import type { TestPromptRun } from '@lookout/contracts';
import { describe, expect, it } from 'vitest';
import { mergeRun, TestPromptStreams } from './test-prompt-streams.ts';

const timings = {
  totalMs: 812.4,
  queueWaitMs: 0.2,
  ttftMs: 95.1,
  tokensPerSec: 41.7,
  loadMs: 3.1,
  promptEvalMs: 12.5,
  evalMs: 767.3,
  promptEvalCount: 9,
  evalCount: 32,
};

const running: TestPromptRun = {
  runId: 'run-1',
  startedAt: '2025-11-22T17:00:00.000Z',
  status: 'running',
  target: null,
  model: 'llama3.2:1b',
  prompt: 'Say hi',
  numPredict: 32,
  temperature: 0.8,
  response: '',
  timings: null,
  error: null,
};

describe('TestPromptStreams', () => {
  it('collects tokens per run, including those that arrive before the run is known', () => {
    const streams = new TestPromptStreams();
    streams.handle({ type: 'test_prompt', runId: 'run-1', event: 'token', text: 'Hel' });
    streams.handle({ type: 'test_prompt', runId: 'run-2', event: 'token', text: 'Other' });
    streams.handle({ type: 'test_prompt', runId: 'run-1', event: 'token', text: 'lo' });
    streams.handle({ type: 'test_prompt', runId: 'run-1', event: 'done', target: 'gpu-a', timings });
    expect(streams.get('run-1')).toEqual({ text: 'Hello', end: { event: 'done', target: 'gpu-a', timings } });
    expect(streams.get('run-2')?.text).toBe('Other');
  });

  it('keeps only the newest runs', () => {
    const streams = new TestPromptStreams(2);
    for (const id of ['a', 'b', 'c'])
      streams.handle({ type: 'test_prompt', runId: id, event: 'token', text: id });
    expect(streams.get('a')).toBeUndefined();
    expect(streams.get('c')?.text).toBe('c');
  });
});

describe('mergeRun', () => {
  it('shows the streamed text and, once done, the timings and the target that answered', () => {
    expect(mergeRun(running, { text: 'Hel', end: null })).toMatchObject({
      status: 'running',
      response: 'Hel',
    });
    expect(
      mergeRun(running, { text: 'Hello', end: { event: 'done', target: 'gpu-a', timings } }),
    ).toMatchObject({
      status: 'ok',
      response: 'Hello',
      target: 'gpu-a',
      timings,
    });
  });

  it('shows the error with its code', () => {
    const merged = mergeRun(running, {
      text: '',
      end: {
        event: 'error',
        outcome: 'timeout_first_byte',
        code: 'LOOKOUT_FIRST_BYTE_TIMEOUT',
        message: 'late',
      },
    });
    expect(merged.status).toBe('failed');
    expect(merged.error).toEqual({
      outcome: 'timeout_first_byte',
      code: 'LOOKOUT_FIRST_BYTE_TIMEOUT',
      message: 'late',
    });
  });

  it('prefers the stored run once finished, and the longer text while running', () => {
    const finished = { ...running, status: 'ok' as const, response: 'Hello there', timings };
    expect(mergeRun(finished, { text: 'Hel', end: null })).toBe(finished);
    expect(mergeRun({ ...running, response: 'Hello th' }, { text: 'Hel', end: null }).response).toBe(
      'Hello th',
    );
  });
});
