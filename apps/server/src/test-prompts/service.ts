import { randomUUID } from 'node:crypto';
import {
  type CallEventSink,
  createCallInfo,
  executeCall,
  isLookoutError,
  type LookoutError,
  type UpstreamPool,
} from '@lookout/client-core';
import type { ServerMessage, TestPromptRequest, TestPromptRun, TestPromptTimings } from '@lookout/contracts';
import type { Logger } from '../log.ts';
import type { RelayTarget, TargetRegistry } from '../targets/registry.ts';
import type { TargetRouter } from '../targets/router.ts';
import type { TestRunTable } from './runs-table.ts';

export interface TestPromptDeps {
  registry: TargetRegistry;
  router: TargetRouter<RelayTarget>;
  pool: UpstreamPool;
  sink: CallEventSink;
  runs: TestRunTable;
  /** Where tokens and results go live (the WebSocket hub). */
  broadcast: (message: ServerMessage) => void;
  log: Logger;
  /** Runs at once, across the dashboard; more are refused with 429. */
  maxRunning?: number;
}

/** Why a run could not start: the REST layer turns it into a 400/404/429. */
export class TestPromptRefused extends Error {
  constructor(
    readonly status: 400 | 404 | 429,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'TestPromptRefused';
  }
}

const NS_PER_MS = 1e6;

/**
 * Test prompts: a generation fired by hand from the dashboard, through the same core and gate as the
 * relay (counted under the `test_prompt` source), streamed to the dashboard token by token, then kept
 * with its timing breakdown.
 */
export class TestPromptService {
  private readonly running = new Map<string, AbortController>();
  private readonly maxRunning: number;

  constructor(private readonly deps: TestPromptDeps) {
    this.maxRunning = deps.maxRunning ?? 4;
  }

  /** Starts a run and returns it as `running`; the rest arrives over the WebSocket and in `get`. */
  start(request: TestPromptRequest): TestPromptRun {
    const explicit = request.target === null ? undefined : this.deps.registry.get(request.target);
    if (request.target !== null && !explicit) {
      throw new TestPromptRefused(404, 'unknown_target', `no target named "${request.target}"`, 'target');
    }
    if (this.running.size >= this.maxRunning) {
      throw new TestPromptRefused(
        429,
        'too_many_runs',
        `${this.running.size} test prompts are running; wait for one to finish`,
      );
    }
    const run: TestPromptRun = {
      runId: randomUUID(),
      startedAt: new Date().toISOString(),
      status: 'running',
      target: explicit?.name ?? null,
      model: request.model,
      prompt: request.prompt,
      numPredict: request.numPredict,
      temperature: request.temperature,
      response: '',
      timings: null,
      error: null,
    };
    this.deps.runs.save(run);
    const controller = new AbortController();
    this.running.set(run.runId, controller);
    void this.execute(run, request, explicit, controller.signal).finally(() => {
      this.running.delete(run.runId);
      this.deps.runs.save(run);
      this.deps.runs.trim();
    });
    return { ...run };
  }

  list(limit = 50): TestPromptRun[] {
    return this.deps.runs.list(limit);
  }

  get(runId: string): TestPromptRun | undefined {
    return this.deps.runs.get(runId);
  }

  /** Aborts every running run (shutdown). */
  stop(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  private async execute(
    run: TestPromptRun,
    request: TestPromptRequest,
    explicit: RelayTarget | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const body = Buffer.from(
      JSON.stringify({
        model: request.model,
        prompt: request.prompt,
        stream: true,
        options: { num_predict: request.numPredict, temperature: request.temperature },
      }),
    );
    const startedAtMs = performance.now();
    const info = createCallInfo({
      method: 'POST',
      path: '/api/generate',
      body,
      source: 'test_prompt',
      callId: run.runId,
      startedAtMs,
    });
    const tried = new Set<string>();
    let ttftMs: number | null = null;
    try {
      const upstream = await executeCall({
        info,
        request: { headers: { 'content-type': 'application/json' }, body },
        pickTarget: (_attempt, failures) => {
          for (const f of failures) tried.add(f.target);
          const target = explicit ?? this.deps.router.pick(request.model, tried);
          if (!target) return undefined;
          return {
            name: target.name,
            url: target.url,
            gate: target.gate,
            timeouts: { ...target.policyFor(request.model).timeouts, ...definedOnly(request.timeouts) },
          };
        },
        pool: this.deps.pool,
        retry: { maxRetries: explicit ? 0 : 1 },
        signal,
        sink: this.deps.sink,
      });
      run.target = upstream.target;
      let pending = '';
      let final: Record<string, unknown> | undefined;
      for await (const chunk of upstream.body) {
        pending += chunk.toString('utf8');
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          newline = pending.indexOf('\n');
          if (line === '') continue;
          const frame = JSON.parse(line) as Record<string, unknown>;
          const text = typeof frame.response === 'string' ? frame.response : '';
          if (text !== '') {
            ttftMs ??= performance.now() - startedAtMs;
            run.response += text;
            this.deps.broadcast({ type: 'test_prompt', runId: run.runId, event: 'token', text });
          }
          if (frame.done === true) final = frame;
        }
      }
      const terminal = await upstream.settled;
      if (terminal.type === 'failed') throw upstream.failure ?? new Error(terminal.message);
      run.timings = timingsOf(performance.now() - startedAtMs, upstream.queueWaitMs, ttftMs, final);
      run.status = 'ok';
      this.deps.broadcast({
        type: 'test_prompt',
        runId: run.runId,
        event: 'done',
        target: upstream.target,
        timings: run.timings,
      });
    } catch (error) {
      const failure: LookoutError | undefined = isLookoutError(error) ? error : undefined;
      run.status = 'failed';
      run.error = {
        outcome: failure?.outcome ?? 'upstream_error',
        code: failure?.code ?? 'LOOKOUT_TEST_PROMPT_FAILED',
        message: failure?.message ?? (error instanceof Error ? error.message : String(error)),
      };
      if (failure?.target) run.target = failure.target;
      this.deps.broadcast({ type: 'test_prompt', runId: run.runId, event: 'error', ...run.error });
    }
  }
}

/** The fields the caller set (zod leaves absent optional fields as undefined). */
function definedOnly<T extends Record<string, number | undefined>>(
  values: T,
): Partial<Record<keyof T, number>> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<
    Record<keyof T, number>
  >;
}

function timingsOf(
  totalMs: number,
  queueWaitMs: number,
  ttftMs: number | null,
  final: Record<string, unknown> | undefined,
): TestPromptTimings {
  const num = (key: string): number | null =>
    typeof final?.[key] === 'number' ? (final[key] as number) : null;
  const evalCount = num('eval_count');
  const evalNs = num('eval_duration');
  const ms = (ns: number | null) => (ns === null ? null : ns / NS_PER_MS);
  return {
    totalMs,
    queueWaitMs,
    ttftMs,
    tokensPerSec: evalCount !== null && evalNs ? (evalCount / evalNs) * 1e9 : null,
    loadMs: ms(num('load_duration')),
    promptEvalMs: ms(num('prompt_eval_duration')),
    evalMs: ms(evalNs),
    promptEvalCount: num('prompt_eval_count'),
    evalCount,
  };
}
