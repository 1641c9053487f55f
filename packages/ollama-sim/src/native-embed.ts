import { applyEarlyFault, type Call, GIN_JSON, type SimContext, type SurfaceSpelling } from './call.ts';
import { monotonicMs, msToNs, sleep } from './clock.ts';
import {
  acquireSlot,
  type CallOverrides,
  type GenerationInput,
  RunnerFailure,
  readOverrides,
  runnerOptions,
  scheduleRunner,
} from './generation-run.ts';
import { goJson } from './go-json.ts';
import { type CatalogModel, canonicalModelName } from './models.ts';
import { decodeRequest, SCHEMAS } from './request-schema.ts';
import { QueueFullError, type RunnerLease } from './scheduler.ts';
import { nativeSpelling } from './spelling.ts';
import { countPromptTokens, embeddingVector } from './text-generation.ts';

/** A parsed embedding request, whichever surface it came from. */
export interface EmbedJob {
  model: CatalogModel;
  inputs: string[];
  dimensions: number;
  options: Record<string, unknown> | undefined;
  keepAliveMs: number | undefined;
  truncate: boolean;
}

export interface EmbedOutcome {
  embeddings: number[][];
  promptTokens: number;
  totalDurationNs: number;
  loadDurationNs: number;
}

/** Normalises `input` as Ollama does: a non-empty string or an array of strings. */
export function embedInputs(input: unknown): string[] | undefined {
  if (input === undefined) return [];
  if (typeof input === 'string') return input.length > 0 ? [input] : [];
  if (Array.isArray(input) && input.every((v) => typeof v === 'string')) return input as string[];
  return undefined;
}

function renormalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0)) || 1;
  return vector.map((v) => Math.round((v / norm) * 1e6) / 1e6);
}

/** One input on one slot: prompt evaluation time, then its vector. */
async function embedOne(
  sim: SimContext,
  call: Call,
  lease: RunnerLease,
  text: string,
  tokens: number,
  ttftMs?: number,
) {
  const releaseSlot = await acquireSlot(sim, call, lease);
  try {
    if (call.fault?.kind === 'http_500') {
      throw new RunnerFailure(call.fault.message ?? 'llama runner process has terminated: exit status 2');
    }
    await sleep(ttftMs ?? tokens * sim.options.promptTokenMs, call.signal);
    return embeddingVector(`${lease.runner.model.canonical}|${text}`, lease.runner.model.embeddingLength);
  } finally {
    releaseSlot();
  }
}

/**
 * Runs an embedding job: every input takes a slot of its own, at once (so N inputs take up to N slots).
 * Returns 'empty' when there was nothing to embed (the model is loaded all the same).
 */
export async function runEmbedJob(sim: SimContext, call: Call, job: EmbedJob, overrides: CallOverrides) {
  const input: GenerationInput = {
    model: job.model,
    promptText: '',
    promptTokens: 0,
    options: job.options,
    keepAliveMs: job.keepAliveMs,
  };
  const scheduled = await scheduleRunner(sim, call, input);
  try {
    if (job.inputs.length === 0) return { scheduled, outcome: 'empty' as const };
    const contextLength = Math.min(runnerOptions(job.options).numCtx, job.model.contextLength);
    const counts = job.inputs.map((text) => countPromptTokens(text));
    if (!job.truncate && counts.some((c) => c > contextLength)) {
      return { scheduled, outcome: 'too_long' as const };
    }
    // allSettled: no slot is still held by a sibling input when this returns.
    const settled = await Promise.allSettled(
      job.inputs.map((text, i) =>
        embedOne(
          sim,
          call,
          scheduled.lease,
          text,
          Math.min(counts[i] as number, contextLength),
          overrides.ttftMs,
        ),
      ),
    );
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const vectors = settled.map((s) => (s as PromiseFulfilledResult<number[]>).value);
    const embeddings =
      job.dimensions > 0
        ? vectors.map((v) => (job.dimensions < v.length ? renormalize(v.slice(0, job.dimensions)) : v))
        : vectors;
    const deterministic = sim.options.deterministicTimestamps;
    const promptTokens = counts.reduce((s, c) => s + Math.min(c, contextLength), 0);
    const loadMs = deterministic
      ? scheduled.lease.waitedForLoad
        ? sim.options.loadTimeMs
        : 0
      : scheduled.loadedAtMs - call.receivedAtMs;
    const totalMs = deterministic
      ? loadMs + promptTokens * sim.options.promptTokenMs
      : monotonicMs() - call.receivedAtMs;
    const outcome: EmbedOutcome = {
      embeddings,
      promptTokens,
      totalDurationNs: msToNs(totalMs),
      loadDurationNs: msToNs(loadMs),
    };
    return { scheduled, outcome };
  } catch (err) {
    scheduled.lease.release();
    throw err;
  }
}

/** Checks the model of an embedding request; answers and returns undefined when it is missing or unknown. */
export function embedModel(sim: SimContext, call: Call, spelling: SurfaceSpelling, requestModel: string) {
  if (canonicalModelName(requestModel) === undefined) {
    call.sendError(spelling, 400, 'model is required');
    return undefined;
  }
  const model = sim.catalog.find(requestModel);
  if (!model)
    call.sendError(spelling, 404, `model ${JSON.stringify(requestModel)} not found, try pulling it first`);
  return model;
}

/** POST /api/embed and the legacy POST /api/embeddings. */
export async function handleNativeEmbed(sim: SimContext, call: Call, legacy: boolean): Promise<void> {
  const decoded = decodeRequest(await call.readBody(), legacy ? SCHEMAS.embeddings : SCHEMAS.embed);
  if (!decoded.ok) return call.sendJson(400, { error: decoded.error.message });
  const { fields } = decoded;
  const requestModel = (fields.model as string | undefined) ?? '';
  const spelling = nativeSpelling(false, requestModel);
  const inputs = legacy ? embedInputs(fields.prompt ?? '') : embedInputs(fields.input);
  if (!inputs) return call.sendJson(400, { error: 'invalid input type' });
  if (!(await applyEarlyFault(sim, call, requestModel, spelling))) return;
  const model = embedModel(sim, call, spelling, requestModel);
  if (!model) return;
  const overrides = readOverrides(call.req.headers);
  if (!overrides.ok) return call.sendJson(400, { error: overrides.message });

  const job: EmbedJob = {
    model,
    inputs,
    dimensions: (fields.dimensions as number | undefined) ?? 0,
    options: fields.options as Record<string, unknown> | undefined,
    keepAliveMs: fields.keep_alive as number | undefined,
    truncate: fields.truncate !== false,
  };
  let run: Awaited<ReturnType<typeof runEmbedJob>>;
  const writer = call.writer(spelling);
  try {
    run = await runEmbedJob(sim, call, job, overrides.overrides);
  } catch (err) {
    if (err instanceof QueueFullError) return call.sendJson(503, { error: err.message });
    if (err instanceof RunnerFailure) return writer.fail(500, err.message);
    throw err;
  }
  try {
    const { outcome } = run;
    if (outcome === 'too_long') return call.sendJson(400, { error: 'input exceeds maximum context length' });
    let body: string;
    if (legacy) {
      const vector = outcome === 'empty' ? [] : (outcome.embeddings[0] ?? []).map((v) => Math.fround(v));
      body = goJson({ embedding: vector });
    } else if (outcome === 'empty') {
      body = goJson({ model: requestModel, embeddings: [] });
    } else {
      body = goJson({
        model: requestModel,
        embeddings: outcome.embeddings,
        total_duration: outcome.totalDurationNs || undefined,
        load_duration: outcome.loadDurationNs || undefined,
        prompt_eval_count: outcome.promptTokens || undefined,
      });
    }
    await writer.sendWhole(200, GIN_JSON, body);
    sim.scheduler.runtime(model).completed++;
  } finally {
    run.scheduled.lease.release();
  }
}
