import { applyEarlyFault, type Call, type SimContext } from './call.ts';
import { RunnerFailure, readOverrides } from './generation-run.ts';
import { goJson } from './go-json.ts';
import { type CatalogModel, canonicalModelName } from './models.ts';
import { type EmbedJob, embedInputs, embedModel, runEmbedJob } from './native-embed.ts';
import { decodeRequest, SCHEMAS } from './request-schema.ts';
import { QueueFullError } from './scheduler.ts';
import { openaiMiddlewareError, openaiSpelling } from './spelling.ts';

const OPENAI_JSON = 'application/json';

/** model.ParseName(name).Namespace: 'library' for official models. */
function ownedBy(name: string): string {
  const canonical = canonicalModelName(name) ?? '';
  const parts = canonical.split('/');
  return parts.length === 1 ? 'library' : (parts[parts.length - 2] ?? 'library');
}

function modelObject(id: string, model: CatalogModel) {
  return {
    id,
    object: 'model',
    created: Math.floor(model.modifiedAt.getTime() / 1000),
    owned_by: ownedBy(id),
  };
}

/** GET /v1/models: `data` is null when nothing is installed, as Go marshals a nil slice. */
export function handleOpenaiModels(sim: SimContext, call: Call): void {
  const models = sim.catalog.all().sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime());
  const data = models.length === 0 ? null : models.map((m) => modelObject(m.fullName, m));
  call.send(200, OPENAI_JSON, `${goJson({ object: 'list', data })}\n`);
}

/** GET /v1/models/:model */
export async function handleOpenaiModel(sim: SimContext, call: Call, name: string): Promise<void> {
  const spelling = openaiSpelling(() => '{}');
  if (!(await applyEarlyFault(sim, call, name, spelling))) return;
  const model = sim.catalog.find(name);
  if (!model) return call.sendError(spelling, 404, `model '${name}' not found`);
  await call.writer(spelling).sendWhole(200, OPENAI_JSON, `${goJson(modelObject(name, model))}\n`);
}

/** Float32 little-endian bytes in base64, as `encoding_format: "base64"` asks (Ollama 0.12.7+). */
function base64Floats(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

/** POST /v1/embeddings */
export async function handleOpenaiEmbeddings(sim: SimContext, call: Call): Promise<void> {
  const decoded = decodeRequest(await call.readBody(), SCHEMAS.openaiEmbed);
  const middlewareError = (message: string) => {
    const reply = openaiMiddlewareError(400, message);
    call.send(400, reply.contentType, reply.body);
  };
  if (!decoded.ok)
    return middlewareError(decoded.error.code === 'missing_body' ? 'EOF' : decoded.error.message);
  const { fields } = decoded;
  const format = fields.encoding_format as string | undefined;
  if (format !== undefined && format !== '' && !['float', 'base64'].includes(format.toLowerCase())) {
    return middlewareError(
      `Invalid value for 'encoding_format' = ${format}. Supported values: ['float', 'base64'].`,
    );
  }
  let input = fields.input;
  if (input === '') input = [''];
  if (input === undefined || (Array.isArray(input) && input.length === 0))
    return middlewareError('invalid input');

  const requestModel = (fields.model as string | undefined) ?? '';
  const spelling = openaiSpelling(() => '{}');
  const inputs = embedInputs(input);
  if (!inputs) return call.sendError(spelling, 400, 'invalid input type');
  if (!(await applyEarlyFault(sim, call, requestModel, spelling))) return;
  const model = embedModel(sim, call, spelling, requestModel);
  if (!model) return;
  const overrides = readOverrides(call.req.headers);
  if (!overrides.ok) return call.sendError(spelling, 400, overrides.message);

  const job: EmbedJob = {
    model,
    inputs,
    dimensions: (fields.dimensions as number | undefined) ?? 0,
    options: undefined,
    keepAliveMs: undefined,
    truncate: true,
  };
  const writer = call.writer(spelling);
  let run: Awaited<ReturnType<typeof runEmbedJob>>;
  try {
    run = await runEmbedJob(sim, call, job, overrides.overrides);
  } catch (err) {
    if (err instanceof QueueFullError) return call.sendError(spelling, 503, err.message);
    if (err instanceof RunnerFailure) return writer.fail(500, err.message);
    throw err;
  }
  try {
    const { outcome } = run;
    if (outcome === 'empty' || outcome === 'too_long') return call.sendError(spelling, 400, 'invalid input');
    const base64 = format?.toLowerCase() === 'base64';
    const body = {
      object: 'list',
      data: outcome.embeddings.map((vector, index) => ({
        object: 'embedding',
        embedding: base64 ? base64Floats(vector) : vector,
        index,
      })),
      model: requestModel,
      usage: { prompt_tokens: outcome.promptTokens, total_tokens: outcome.promptTokens },
    };
    await writer.sendWhole(200, OPENAI_JSON, `${goJson(body)}\n`);
    sim.scheduler.runtime(model).completed++;
  } finally {
    run.scheduled.lease.release();
  }
}
