import type { IncomingHttpHeaders } from 'node:http';
import type { Call, SimContext } from './call.ts';
import { epochMs, monotonicMs, msToNs, sleep } from './clock.ts';
import type { CatalogModel } from './models.ts';
import type { RunnerLease } from './scheduler.ts';
import { generateTokens } from './text-generation.ts';

/** Fixed `created_at` of deterministic mode. */
export const DETERMINISTIC_EPOCH_MS = Date.parse('2025-01-01T00:00:00Z');

/** Per-request timing overrides read from `x-sim-*` headers. */
export interface CallOverrides {
  ttftMs?: number;
  tokens?: number;
  tokenIntervalMs?: number;
}

const OVERRIDE_HEADERS = {
  'x-sim-ttft-ms': 'ttftMs',
  'x-sim-tokens': 'tokens',
  'x-sim-token-interval-ms': 'tokenIntervalMs',
} as const;

/** Reads the `x-sim-*` headers; a bad value is an error naming the header. */
export function readOverrides(
  headers: IncomingHttpHeaders,
): { ok: true; overrides: CallOverrides } | { ok: false; message: string } {
  const overrides: CallOverrides = {};
  for (const [header, key] of Object.entries(OVERRIDE_HEADERS)) {
    const raw = headers[header];
    if (raw === undefined) continue;
    const value = Number(raw);
    const integerOnly = key === 'tokens';
    if (
      String(raw).trim() === '' ||
      !Number.isFinite(value) ||
      value < 0 ||
      (integerOnly && !Number.isInteger(value))
    ) {
      const what = integerOnly ? 'an integer >= 0' : 'a number of milliseconds >= 0';
      return { ok: false, message: `${header} must be ${what}, got ${JSON.stringify(raw)}` };
    }
    overrides[key] = value;
  }
  return { ok: true, overrides };
}

/** What a generation needs from the request. */
export interface GenerationInput {
  model: CatalogModel;
  /** Seeds the text together with the simulator seed, the model and `options.seed`. */
  promptText: string;
  promptTokens: number;
  options: Record<string, unknown> | undefined;
  keepAliveMs: number | undefined;
}

/** Options that, when changed, make Ollama reload the runner (api.Runner), with their defaults. */
const RUNNER_OPTION_DEFAULTS: Record<string, unknown> = {
  num_ctx: 4096,
  num_batch: 512,
  num_gpu: -1,
  main_gpu: 0,
  use_mmap: null,
  num_thread: 0,
};

export function runnerOptions(options: Record<string, unknown> | undefined): {
  optionsKey: string;
  numCtx: number;
} {
  const values = Object.keys(RUNNER_OPTION_DEFAULTS).map((k) => options?.[k] ?? RUNNER_OPTION_DEFAULTS[k]);
  const numCtx = Number(options?.num_ctx ?? RUNNER_OPTION_DEFAULTS.num_ctx);
  return { optionsKey: JSON.stringify(values), numCtx: Math.max(4, Number.isFinite(numCtx) ? numCtx : 4096) };
}

/** Gets the runner (scheduler queue, load, eviction); `call.phase` follows. Throws QueueFullError / RequestCancelled. */
export async function scheduleRunner(sim: SimContext, call: Call, input: GenerationInput) {
  call.phase = 'queued';
  const lease = await sim.scheduler.acquireRunner(input.model, {
    keepAliveMs: input.keepAliveMs,
    ...runnerOptions(input.options),
    signal: call.signal,
  });
  return { lease, loadedAtMs: monotonicMs() };
}

/** The response header that tells how long a request waited for a slot, in whole milliseconds. */
export const QUEUE_WAIT_HEADER = 'x-sim-queue-ms';

/**
 * Waits for a slot of the request's runner (unbounded, FIFO, like Ollama's semaphore) and records how long:
 * in the model's counters and, while the headers are not out yet, as `x-sim-queue-ms` on the reply (the
 * longest wait of the request's slots, for embeddings that take several). Resolves with the slot's release.
 */
export async function acquireSlot(sim: SimContext, call: Call, lease: RunnerLease): Promise<() => void> {
  call.phase = 'waiting_slot';
  const askedAtMs = monotonicMs();
  const release = await lease.runner.slots.acquire(call.signal);
  const waitedMs = monotonicMs() - askedAtMs;
  const runtime = sim.scheduler.runtime(lease.runner.model);
  runtime.slotWaits++;
  runtime.slotWaitMsTotal += waitedMs;
  runtime.slotWaitMsMax = Math.max(runtime.slotWaitMsMax, waitedMs);
  call.slotWaitMs = Math.max(call.slotWaitMs ?? 0, waitedMs);
  if (!call.res.headersSent) call.res.setHeader(QUEUE_WAIT_HEADER, String(Math.round(call.slotWaitMs)));
  call.phase = 'generating';
  return release;
}

/** A runner crash injected by an http_500 fault. */
export class RunnerFailure extends Error {
  readonly code = 'SIM_RUNNER_FAILURE';
}

export interface GenerationMetrics {
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

export interface GenerationResult {
  text: string;
  doneReason: 'stop' | 'length';
  metrics: GenerationMetrics;
  /** The token ids of prompt + answer, for the `context` field. */
  contextSeed: string;
}

/** Ollama's omitempty: metric fields that are zero are left out. */
function omitZero(metrics: Required<GenerationMetrics>): GenerationMetrics {
  return Object.fromEntries(Object.entries(metrics).filter(([, v]) => v !== 0));
}

/** `created_at` of a chunk produced now. */
export function createdAtEpochMs(sim: SimContext): number {
  return sim.options.deterministicTimestamps ? DETERMINISTIC_EPOCH_MS : epochMs();
}

/**
 * Runs one generation on a runner: waits for a slot, evaluates the prompt, then emits tokens one interval apart
 * (`onToken` may apply backpressure). The slot is held until this returns.
 */
export async function generate(
  sim: SimContext,
  call: Call,
  input: GenerationInput,
  scheduled: { lease: RunnerLease; loadedAtMs: number },
  overrides: CallOverrides,
  onToken: (text: string, index: number) => Promise<void>,
): Promise<GenerationResult> {
  const { options: config } = sim;
  const releaseSlot = await acquireSlot(sim, call, scheduled.lease);
  try {
    const slotAtMs = monotonicMs();
    if (call.fault?.kind === 'http_500') {
      throw new RunnerFailure(call.fault.message ?? 'llama runner process has terminated: exit status 2');
    }
    const intervalMs = overrides.tokenIntervalMs ?? config.tokenIntervalMs;
    const promptEvalMs =
      overrides.ttftMs !== undefined
        ? Math.max(0, overrides.ttftMs - intervalMs)
        : input.promptTokens * config.promptTokenMs;
    const numPredict = Number(input.options?.num_predict ?? -1);
    const wanted = overrides.tokens ?? config.tokensPerResponse;
    const capped = numPredict > 0 && numPredict < wanted;
    const count = capped ? numPredict : wanted;
    const seedKey = `${config.seed}|${input.model.canonical}|${String(input.options?.seed ?? '')}|${input.promptText}`;
    const tokens = generateTokens(seedKey, count);

    await sleep(promptEvalMs, call.signal);
    const promptEndMs = monotonicMs();
    for (let i = 0; i < tokens.length; i++) {
      await sleep(promptEndMs + (i + 1) * intervalMs - monotonicMs(), call.signal);
      await onToken(tokens[i] as string, i);
    }
    const endMs = monotonicMs();

    const measured = {
      load: scheduled.loadedAtMs - call.receivedAtMs,
      promptEval: promptEndMs - slotAtMs,
      eval: count === 0 ? 0 : endMs - promptEndMs,
      total: endMs - call.receivedAtMs,
    };
    const modelled = {
      load: scheduled.lease.waitedForLoad ? config.loadTimeMs : 0,
      promptEval: promptEvalMs,
      eval: count * intervalMs,
      total: 0,
    };
    modelled.total = modelled.load + modelled.promptEval + modelled.eval;
    const durations = config.deterministicTimestamps ? modelled : measured;
    return {
      text: tokens.join(''),
      doneReason: capped ? 'length' : 'stop',
      contextSeed: seedKey,
      metrics: omitZero({
        total_duration: msToNs(durations.total),
        load_duration: msToNs(durations.load),
        prompt_eval_count: input.promptTokens,
        prompt_eval_duration: msToNs(durations.promptEval),
        eval_count: count,
        eval_duration: msToNs(durations.eval),
      }),
    };
  } finally {
    releaseSlot();
  }
}
