import { applyEarlyFault, type Call, GIN_JSON, type SimContext } from './call.ts';
import { rfc3339Nano } from './clock.ts';
import {
  createdAtEpochMs,
  type GenerationInput,
  type GenerationResult,
  generate,
  RunnerFailure,
  readOverrides,
  scheduleRunner,
} from './generation-run.ts';
import { goJson } from './go-json.ts';
import { canonicalModelName } from './models.ts';
import { decodeRequest, SCHEMAS } from './request-schema.ts';
import { QueueFullError } from './scheduler.ts';
import { nativeSpelling } from './spelling.ts';
import { countPromptTokens, tokenIds } from './text-generation.ts';

export const NDJSON = 'application/x-ndjson';

type Kind = 'generate' | 'chat';

interface ChatMessage {
  role?: string;
  content?: string;
}

/** The text a request's prompt renders to (it seeds the answer and sets prompt_eval_count). */
function renderPrompt(kind: Kind, fields: Record<string, unknown>): { text: string; empty: boolean } {
  if (kind === 'generate') {
    const prompt = (fields.prompt as string | undefined) ?? '';
    const system = fields.system as string | undefined;
    return { text: system ? `${system}\n${prompt}` : prompt, empty: prompt === '' };
  }
  const messages = ((fields.messages as (ChatMessage | null)[] | undefined) ?? []).filter((m) => m !== null);
  const text = messages.map((m) => `${m.role ?? ''}: ${m.content ?? ''}`).join('\n');
  return { text, empty: messages.length === 0 };
}

/** The body of a chunk; `extra` holds the fields of a final chunk. */
function chunkBody(
  kind: Kind,
  model: string,
  createdAtMs: number,
  text: string,
  extra: Record<string, unknown>,
) {
  const createdAt = rfc3339Nano(createdAtMs);
  if (kind === 'generate') return { model, created_at: createdAt, response: text, ...extra };
  return { model, created_at: createdAt, message: { role: 'assistant', content: text }, ...extra };
}

function finalFields(kind: Kind, result: GenerationResult, promptTokens: number, raw: boolean) {
  const context =
    kind === 'generate' && !raw
      ? { context: tokenIds(result.contextSeed, promptTokens + (result.metrics.eval_count ?? 0)) }
      : {};
  return { done: true, done_reason: result.doneReason, ...context, ...result.metrics };
}

/** POST /api/generate and POST /api/chat. */
export async function handleNativeGeneration(sim: SimContext, call: Call, kind: Kind): Promise<void> {
  const decoded = decodeRequest(await call.readBody(), SCHEMAS[kind]);
  if (!decoded.ok) return call.sendJson(400, { error: decoded.error.message });
  const fields = decoded.fields;
  const requestModel = (fields.model as string | undefined) ?? '';
  const stream = fields.stream !== false;
  if (!(await applyEarlyFault(sim, call, requestModel, nativeSpelling(stream, requestModel)))) return;

  if (kind === 'chat' && canonicalModelName(requestModel) === undefined) {
    return call.sendJson(400, { error: 'model is required' });
  }
  const model = sim.catalog.find(requestModel);
  if (!model) return call.sendJson(404, { error: `model '${requestModel}' not found` });

  const prompt = renderPrompt(kind, fields);
  const createdAt = () => createdAtEpochMs(sim);
  if (prompt.empty && fields.keep_alive === 0) {
    sim.scheduler.expireModel(model);
    return call.sendJson(
      200,
      chunkBody(kind, requestModel, createdAt(), '', { done: true, done_reason: 'unload' }),
    );
  }
  if (typeof fields.think === 'string') {
    return call.sendJson(400, {
      error: `think value ${JSON.stringify(fields.think)} is not supported for this model`,
    });
  }
  if (fields.think === true) {
    return call.sendJson(400, { error: `${JSON.stringify(requestModel)} does not support thinking` });
  }
  if (model.embedding) {
    return call.sendJson(400, { error: `${JSON.stringify(requestModel)} does not support ${kind}` });
  }
  const overrides = readOverrides(call.req.headers);
  if (!overrides.ok) return call.sendJson(400, { error: overrides.message });

  const input: GenerationInput = {
    model,
    promptText: prompt.text,
    promptTokens: countPromptTokens(prompt.text),
    options: fields.options as Record<string, unknown> | undefined,
    keepAliveMs: fields.keep_alive as number | undefined,
  };
  let scheduled: Awaited<ReturnType<typeof scheduleRunner>>;
  try {
    scheduled = await scheduleRunner(sim, call, input);
  } catch (err) {
    if (err instanceof QueueFullError) return call.sendJson(503, { error: err.message });
    throw err;
  }
  try {
    if (prompt.empty) {
      return call.sendJson(
        200,
        chunkBody(kind, requestModel, createdAt(), '', { done: true, done_reason: 'load' }),
      );
    }
    const writer = call.writer(nativeSpelling(stream, requestModel));
    const line = (body: unknown) => `${goJson(body)}\n`;
    try {
      const result = await generate(sim, call, input, scheduled, overrides.overrides, async (text) => {
        if (stream)
          await writer.streamChunk(
            NDJSON,
            line(chunkBody(kind, requestModel, createdAt(), text, { done: false })),
          );
      });
      const final = finalFields(kind, result, input.promptTokens, fields.raw === true);
      if (stream) {
        await writer.streamChunk(NDJSON, line(chunkBody(kind, requestModel, createdAt(), '', final)));
        await writer.endStream(NDJSON);
      } else {
        await writer.sendWhole(
          200,
          GIN_JSON,
          goJson(chunkBody(kind, requestModel, createdAt(), result.text, final)),
        );
      }
      sim.scheduler.runtime(model).completed++;
    } catch (err) {
      if (err instanceof RunnerFailure) return writer.fail(500, err.message);
      throw err;
    }
  } finally {
    scheduled.lease.release();
  }
}
