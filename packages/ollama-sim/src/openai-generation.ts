import { applyEarlyFault, type Call, type SimContext } from './call.ts';
import {
  createdAtEpochMs,
  type GenerationInput,
  type GenerationMetrics,
  generate,
  RunnerFailure,
  readOverrides,
  scheduleRunner,
} from './generation-run.ts';
import { goJson } from './go-json.ts';
import { canonicalModelName } from './models.ts';
import { decodeRequest, SCHEMAS } from './request-schema.ts';
import { QueueFullError } from './scheduler.ts';
import { openaiMiddlewareError, openaiSpelling } from './spelling.ts';
import { countPromptTokens, hash32 } from './text-generation.ts';

export const SSE = 'text/event-stream';

type Kind = 'chat' | 'completion';

function usage(metrics: GenerationMetrics) {
  const prompt = metrics.prompt_eval_count ?? 0;
  const completion = metrics.eval_count ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Shapes Ollama's middleware gives chat completions and text completions (openai/openai.go, v0.12.6). */
function shapes(kind: Kind, id: string, includeUsage: boolean) {
  const choice = (text: string, finish: string | null, delta: boolean) =>
    kind === 'chat'
      ? {
          index: 0,
          [delta ? 'delta' : 'message']: { role: 'assistant', content: text },
          finish_reason: finish,
        }
      : { text, index: 0, finish_reason: finish };
  const chunk = (model: string, created: number, text: string, finish: string | null) =>
    kind === 'chat'
      ? {
          id,
          object: 'chat.completion.chunk',
          created,
          model,
          system_fingerprint: 'fp_ollama',
          choices: [choice(text, finish, true)],
        }
      : {
          id,
          object: 'text_completion',
          created,
          choices: [choice(text, finish, false)],
          model,
          system_fingerprint: 'fp_ollama',
          ...(includeUsage ? { usage: usage({}) } : {}),
        };
  const whole = (
    model: string,
    created: number,
    text: string,
    finish: string,
    metrics: GenerationMetrics,
  ) => ({
    id,
    object: kind === 'chat' ? 'chat.completion' : 'text_completion',
    created,
    model,
    system_fingerprint: 'fp_ollama',
    choices: [choice(text, finish, false)],
    usage: usage(metrics),
  });
  return { chunk, whole };
}

/** POST /v1/chat/completions and POST /v1/completions (not streamed unless `stream: true`). */
export async function handleOpenaiGeneration(sim: SimContext, call: Call, kind: Kind): Promise<void> {
  const decoded = decodeRequest(
    await call.readBody(),
    kind === 'chat' ? SCHEMAS.openaiChat : SCHEMAS.openaiCompletion,
  );
  if (!decoded.ok) {
    const reply = openaiMiddlewareError(
      400,
      decoded.error.code === 'missing_body' ? 'EOF' : decoded.error.message,
    );
    return call.send(400, reply.contentType, reply.body);
  }
  const { fields } = decoded;
  const messages = ((fields.messages as unknown[] | undefined) ?? []).filter((m) => m !== null) as {
    role?: unknown;
    content?: unknown;
  }[];
  if (kind === 'chat' && messages.length === 0) {
    const reply = openaiMiddlewareError(400, "[] is too short - 'messages'");
    return call.send(400, reply.contentType, reply.body);
  }
  const requestModel = (fields.model as string | undefined) ?? '';
  const stream = fields.stream === true;
  const includeUsage =
    (fields.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const promptText =
    kind === 'chat'
      ? messages
          .map(
            (m) =>
              `${String(m.role ?? '')}: ${typeof m.content === 'string' ? m.content : goJson(m.content ?? '')}`,
          )
          .join('\n')
      : ((fields.prompt as string | undefined) ?? '');
  const options: Record<string, unknown> = {};
  if (fields.max_tokens !== undefined) options.num_predict = fields.max_tokens;
  if (fields.seed !== undefined) options.seed = fields.seed;

  const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${hash32(`${sim.options.seed}|${requestModel}|${promptText}`) % 999}`;
  const created = () => Math.floor(createdAtEpochMs(sim) / 1000);
  const { chunk, whole } = shapes(kind, id, includeUsage);
  const spelling = openaiSpelling(() => goJson(chunk('', created(), '', null)));
  if (!(await applyEarlyFault(sim, call, requestModel, spelling))) return;

  if (kind === 'chat' && canonicalModelName(requestModel) === undefined) {
    return call.sendError(spelling, 400, 'model is required');
  }
  const model = sim.catalog.find(requestModel);
  if (!model) return call.sendError(spelling, 404, `model '${requestModel}' not found`);
  if (model.embedding) {
    return call.sendError(
      spelling,
      400,
      `${JSON.stringify(requestModel)} does not support ${kind === 'chat' ? 'chat' : 'generate'}`,
    );
  }
  const overrides = readOverrides(call.req.headers);
  if (!overrides.ok) return call.sendError(spelling, 400, overrides.message);

  const input: GenerationInput = {
    model,
    promptText,
    promptTokens: countPromptTokens(promptText),
    options,
    keepAliveMs: undefined,
  };
  let scheduled: Awaited<ReturnType<typeof scheduleRunner>>;
  try {
    scheduled = await scheduleRunner(sim, call, input);
  } catch (err) {
    if (err instanceof QueueFullError) return call.sendError(spelling, 503, err.message);
    throw err;
  }
  const writer = call.writer(spelling);
  const event = (body: unknown) => `data: ${goJson(body)}\n\n`;
  try {
    let text = '';
    let finish = 'load';
    let metrics: GenerationMetrics = {};
    if (kind === 'chat' || promptText !== '') {
      const result = await generate(sim, call, input, scheduled, overrides.overrides, async (token) => {
        if (stream) await writer.streamChunk(SSE, event(chunk(requestModel, created(), token, null)));
      });
      ({ text, metrics } = result);
      finish = result.doneReason;
    }
    if (stream) {
      const last = chunk(requestModel, created(), '', finish);
      await writer.streamChunk(SSE, event(last));
      if (includeUsage) await writer.streamChunk(SSE, event({ ...last, choices: [], usage: usage(metrics) }));
      await writer.streamChunk(SSE, 'data: [DONE]\n\n');
      await writer.endStream(SSE);
    } else {
      await writer.sendWhole(
        200,
        'application/json',
        `${goJson(whole(requestModel, created(), text, finish, metrics))}\n`,
      );
    }
    sim.scheduler.runtime(model).completed++;
  } catch (err) {
    if (err instanceof RunnerFailure) return writer.fail(500, err.message);
    throw err;
  } finally {
    scheduled.lease.release();
  }
}
