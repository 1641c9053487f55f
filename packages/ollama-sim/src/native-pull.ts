import { createHash } from 'node:crypto';
import { applyEarlyFault, type Call, type SimContext } from './call.ts';
import { sleep } from './clock.ts';
import { goJson } from './go-json.ts';
import { canonicalModelName } from './models.ts';
import { NDJSON } from './native-generate.ts';
import { decodeRequest, SCHEMAS } from './request-schema.ts';
import { nativeSpelling } from './spelling.ts';

interface Progress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

/** Progress reports per layer that is not yet on disk. */
const REPORTS_PER_LAYER = 4;

function layers(canonical: string, sizeBytes: number) {
  const sizes = [Math.max(1, sizeBytes - 9_797), 1_429, 7_711, 96, 561];
  return sizes.map((total, i) => ({
    digest: `sha256:${createHash('sha256').update(`ollama-sim:${canonical}:layer${i}`).digest('hex')}`,
    total,
  }));
}

/** The progress lines of a pull, in Ollama's order; an `error` ends them early. */
function* pullProgress(canonical: string, sizeBytes: number, cached: boolean, exists: boolean) {
  yield { status: 'pulling manifest' } as Progress;
  if (!exists) return { error: 'pull model manifest: file does not exist' };
  for (const layer of layers(canonical, sizeBytes)) {
    const status = `pulling ${layer.digest.slice(7, 19)}`;
    const steps = cached
      ? [layer.total]
      : Array.from({ length: REPORTS_PER_LAYER }, (_, i) =>
          Math.round((layer.total * i) / (REPORTS_PER_LAYER - 1)),
        );
    for (const completed of steps) {
      yield {
        status,
        digest: layer.digest,
        total: layer.total,
        ...(completed > 0 ? { completed } : {}),
      } as Progress;
    }
  }
  yield { status: 'verifying sha256 digest' } as Progress;
  yield { status: 'writing manifest' } as Progress;
  yield { status: 'success' } as Progress;
  return undefined;
}

/** POST /api/pull: NDJSON progress (streamed by default), then the model is installed. */
export async function handlePull(sim: SimContext, call: Call): Promise<void> {
  const decoded = decodeRequest(await call.readBody(), SCHEMAS.pull);
  if (!decoded.ok) return call.sendJson(400, { error: decoded.error.message });
  const name =
    (decoded.fields.model as string | undefined) || ((decoded.fields.name as string | undefined) ?? '');
  const canonical = canonicalModelName(name);
  if (canonical === undefined) return call.sendJson(400, { error: 'invalid model name' });
  const stream = decoded.fields.stream !== false;
  if (!(await applyEarlyFault(sim, call, name, nativeSpelling(stream, name)))) return;

  const installed = sim.catalog.find(name);
  const pullable = sim.options.pullableModels;
  const exists =
    installed !== undefined ||
    pullable === undefined ||
    pullable.some((p) => canonicalModelName(p) === canonical);
  const sizeBytes = installed?.sizeBytes ?? sim.catalog.preview(name).sizeBytes;
  // waitForStream and streamResponse both answer an early failure as plain `application/json`.
  const writer = call.writer(nativeSpelling(true, name));
  const progress = pullProgress(canonical, sizeBytes, installed !== undefined, exists);
  let latest: Progress | undefined;
  for (let step = progress.next(); ; step = progress.next()) {
    if (step.done) {
      if (step.value) return writer.fail(500, step.value.error);
      break;
    }
    latest = step.value;
    if (latest.status !== 'pulling manifest') await sleep(sim.options.pullProgressIntervalMs, call.signal);
    if (stream) await writer.streamChunk(NDJSON, `${goJson(latest)}\n`);
  }
  if (!installed) sim.catalog.add(name, new Date());
  if (stream) return writer.endStream(NDJSON);
  await writer.sendWhole(200, 'application/json', goJson(latest));
}
