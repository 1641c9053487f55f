import type { IncomingMessage, ServerResponse } from 'node:http';
import { epochMs, monotonicMs, waitForAbort } from './clock.ts';
import type { FaultStore } from './faults.ts';
import { goJson } from './go-json.ts';
import type { ModelCatalog } from './models.ts';
import type { ResolvedOptions } from './options.ts';
import {
  type ErrorSpelling,
  goBodyHeaders,
  ReplyEndedByFault,
  type ReplyTarget,
  ReplyWriter,
} from './reply-writer.ts';
import { QueueFullError, type Scheduler } from './scheduler.ts';
import type { StatsRecorder } from './stats.ts';
import type { CancellationPhase, FaultSpec } from './types.ts';

/** Everything a handler may use: the configuration and the simulator's shared state. */
export interface SimContext {
  options: ResolvedOptions;
  catalog: ModelCatalog;
  scheduler: Scheduler;
  faults: FaultStore;
  stats: StatsRecorder;
}

/** How a surface spells its errors: the native `{"error":"..."}` or OpenAI's error object. */
export interface SurfaceSpelling extends ErrorSpelling {
  /** A handler's error reply, status still free. */
  errorReply(status: number, message: string): { contentType: string; body: string };
}

/** Gin's c.JSON: `application/json; charset=utf-8`, no trailing newline. */
export const GIN_JSON = 'application/json; charset=utf-8';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** One HTTP request on the Ollama surface, from arrival to the end of its reply or its cancellation. */
export class Call implements ReplyTarget {
  readonly receivedAtMs = monotonicMs();
  /** Where the request is, for the cancellation record; undefined = not worth recording. */
  phase: CancellationPhase | undefined;
  /** The request's model string, once known. */
  model: string | undefined;
  /** The fault that applies to this request, once taken. */
  fault: FaultSpec | undefined;
  /** How long the request waited for a slot (the longest of its slots), once it holds one. */
  slotWaitMs: number | undefined;
  private closedByServer = false;
  private readonly controller = new AbortController();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly path: string,
    stats: StatsRecorder,
  ) {
    res.on('close', () => {
      if (!res.writableFinished && !this.closedByServer && this.phase !== undefined) {
        stats.recordCancellation({ atMs: epochMs(), path, model: this.model, phase: this.phase });
      }
      this.controller.abort();
    });
  }

  /** Aborts when the client goes away or the simulator closes. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  markClosedByServer(): void {
    this.closedByServer = true;
  }

  /** Reads the whole request body as UTF-8. */
  async readBody(): Promise<string> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of this.req as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** A writer for this call's reply, applying its fault. */
  writer(spelling: ErrorSpelling): ReplyWriter {
    return new ReplyWriter(this, this.fault, spelling);
  }

  /** Sends a whole body now (no fault applies: used for errors the request itself caused). */
  send(status: number, contentType: string | undefined, body: string): void {
    if (this.res.headersSent) {
      this.res.end();
      return;
    }
    this.res.writeHead(status, goBodyHeaders(contentType, body));
    this.res.end(body);
  }

  /** Gin's c.JSON(status, value). */
  sendJson(status: number, value: unknown): void {
    this.send(status, GIN_JSON, goJson(value));
  }

  /** A handler-level error in the surface's spelling. */
  sendError(spelling: SurfaceSpelling, status: number, message: string): void {
    const reply = spelling.errorReply(status, message);
    this.send(status, reply.contentType, reply.body);
  }
}

/**
 * Takes the fault matching this request (model-bearing when `model` is a string) and applies the ones that
 * act before any work: hang, a per-model refuse, http_503. Returns false when the request is answered.
 */
export async function applyEarlyFault(
  sim: SimContext,
  call: Call,
  model: string | undefined,
  spelling: SurfaceSpelling,
): Promise<boolean> {
  call.model = model;
  const fault = sim.faults.take({ model });
  call.fault = fault;
  if (!fault) return true;
  if (fault.kind === 'hang') {
    call.phase = 'hung';
    await waitForAbort(call.signal);
  }
  if (fault.kind === 'refuse') {
    call.markClosedByServer();
    call.res.socket?.resetAndDestroy();
    throw new ReplyEndedByFault('refuse');
  }
  if (fault.kind === 'http_503') {
    call.sendError(spelling, 503, new QueueFullError().message);
    return false;
  }
  return true;
}
