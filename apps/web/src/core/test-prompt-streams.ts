import type { TestPromptMessage, TestPromptRun, TestPromptTimings } from '@lookout/contracts';
import { createStore, type ReadableStore } from './store.ts';

/** How a streamed run ended. */
export type StreamEnd =
  | { readonly event: 'done'; readonly target: string; readonly timings: TestPromptTimings }
  | { readonly event: 'error'; readonly outcome: string; readonly code: string; readonly message: string };

/** What the WebSocket brought for one run: the text in arrival order, and its end once known. */
export interface RunStream {
  readonly text: string;
  readonly end: StreamEnd | null;
}

/**
 * Test-prompt messages by run id. Tokens can arrive before the `POST` that started the run has
 * answered (the run starts at once), so every run is kept from its first message, the newest few only.
 */
export class TestPromptStreams {
  private readonly runs = new Map<string, RunStream>();
  private readonly versionStore = createStore(0);

  constructor(private readonly maxRuns = 20) {}

  get version(): ReadableStore<number> {
    return this.versionStore;
  }

  get(runId: string): RunStream | undefined {
    return this.runs.get(runId);
  }

  handle(message: TestPromptMessage): void {
    const stream = this.runs.get(message.runId) ?? { text: '', end: null };
    let next: RunStream;
    switch (message.event) {
      case 'token':
        next = { ...stream, text: stream.text + message.text };
        break;
      case 'done':
        next = { ...stream, end: { event: 'done', target: message.target, timings: message.timings } };
        break;
      case 'error':
        next = {
          ...stream,
          end: { event: 'error', outcome: message.outcome, code: message.code, message: message.message },
        };
        break;
    }
    this.runs.delete(message.runId);
    this.runs.set(message.runId, next);
    while (this.runs.size > this.maxRuns) {
      const oldest = this.runs.keys().next().value;
      if (oldest === undefined) break;
      this.runs.delete(oldest);
    }
    this.versionStore.set(this.versionStore.get() + 1);
  }
}

/**
 * One run as the page shows it: the stored run (REST) brought up to date with what streamed in. The
 * stored run wins once it is finished (its text is whole); while running, the longer text wins (the
 * stream misses tokens sent before this page connected, the stored text lags behind the stream).
 */
export function mergeRun(run: TestPromptRun, stream: RunStream | undefined): TestPromptRun {
  if (!stream || run.status !== 'running') return run;
  const response = stream.text.length >= run.response.length ? stream.text : run.response;
  const end = stream.end;
  if (!end) return { ...run, response };
  if (end.event === 'done')
    return { ...run, response, status: 'ok', target: end.target, timings: end.timings };
  return {
    ...run,
    response,
    status: 'failed',
    error: {
      outcome: end.outcome as NonNullable<TestPromptRun['error']>['outcome'],
      code: end.code,
      message: end.message,
    },
  };
}
