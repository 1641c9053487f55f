import type { ServerResponse } from 'node:http';
import { monotonicMs, sleep, waitForAbort } from './clock.ts';
import type { FaultSpec } from './types.ts';

/** Go's net/http sets Content-Length when the handler's whole output fits its 2048-byte buffer; above, it chunks. */
const GO_CHUNKING_THRESHOLD_BYTES = 2048;

/** Headers of a whole body as Go's net/http sends them: Content-Length only when the body fits its buffer. */
export function goBodyHeaders(
  contentType: string | undefined,
  body: string,
): Record<string, string | number> {
  const headers: Record<string, string | number> = {};
  if (contentType !== undefined) headers['Content-Type'] = contentType;
  const length = Buffer.byteLength(body);
  if (length <= GO_CHUNKING_THRESHOLD_BYTES) headers['Content-Length'] = length;
  return headers;
}

/** A fault ended the reply on purpose (reset, error line); not a client cancellation. */
export class ReplyEndedByFault extends Error {
  readonly code = 'SIM_REPLY_ENDED_BY_FAULT';
  constructor(readonly kind: string) {
    super(`reply ended by fault ${kind}`);
  }
}

/** How one surface (native NDJSON or OpenAI SSE) spells the errors a fault injects. */
export interface ErrorSpelling {
  /** The line or event written when a stream fails after it started. */
  midStreamError(message: string): string;
  /** The reply when a stream fails before its first chunk (the status is still free). */
  errorBeforeStart(status: number, message: string): { contentType: string; body: string };
  /** A line or event that is not valid JSON. */
  malformedChunk(): string;
}

/** What the writer needs to know about the request it answers. */
export interface ReplyTarget {
  res: ServerResponse;
  signal: AbortSignal;
  /** Marks the socket as closed by the simulator, so its close is not counted as a cancellation. */
  markClosedByServer(): void;
}

/**
 * Writes one reply: stream chunks flushed one by one with the headers sent along the first, or a whole body;
 * applies the body faults (stall, reset, error_line, malformed_line, drip) at the chunk they name.
 */
export class ReplyWriter {
  private chunksSent = 0;
  private faultFired = false;
  private lastDripAtMs: number | undefined;

  constructor(
    private readonly target: ReplyTarget,
    private readonly fault: FaultSpec | undefined,
    private readonly spelling: ErrorSpelling,
  ) {}

  private get afterChunks(): number {
    return this.fault?.afterChunks ?? 1;
  }

  private faultDueNow(kinds: string[]): FaultSpec | undefined {
    if (!this.fault || this.faultFired || !kinds.includes(this.fault.kind)) return undefined;
    return this.chunksSent >= this.afterChunks ? this.fault : undefined;
  }

  /** Sends one NDJSON line or SSE event; the first one carries the headers. */
  async streamChunk(contentType: string, chunk: string): Promise<void> {
    await this.fireDueFault(contentType);
    const { res } = this.target;
    if (!res.headersSent) res.writeHead(200, { 'Content-Type': contentType });
    await this.writeBody(chunk);
    this.chunksSent++;
  }

  /** Ends a stream, firing a fault that is still due (the stream was shorter than its afterChunks). */
  async endStream(contentType: string): Promise<void> {
    await this.fireDueFault(contentType);
    const { res } = this.target;
    if (!res.headersSent) res.writeHead(200, { 'Content-Type': contentType });
    res.end();
  }

  /** http_500 on a reply no runner produces (show, pull, models): the error instead of the reply. */
  private failIfHttp500(): void {
    if (this.fault?.kind !== 'http_500' || this.faultFired || this.target.res.headersSent) return;
    this.faultFired = true;
    this.fail(500, this.fault.message ?? 'llama runner process has terminated: exit status 2');
    throw new ReplyEndedByFault('http_500');
  }

  private async fireDueFault(contentType: string): Promise<void> {
    this.failIfHttp500();
    const due = this.faultDueNow(['stall', 'reset', 'error_line', 'malformed_line']);
    if (!due) return;
    this.faultFired = true;
    const { res } = this.target;
    if (due.kind === 'stall') await waitForAbort(this.target.signal);
    if (due.kind === 'reset') this.reset();
    if (due.kind === 'error_line') {
      const message = due.message ?? 'llama runner process has terminated: exit status 2';
      if (!res.headersSent) {
        const reply = this.spelling.errorBeforeStart(500, message);
        this.sendNow(500, reply.contentType, reply.body);
      } else {
        await this.writeBody(this.spelling.midStreamError(message));
        res.end();
      }
      throw new ReplyEndedByFault(due.kind);
    }
    if (due.kind === 'malformed_line') {
      if (!res.headersSent) res.writeHead(200, { 'Content-Type': contentType });
      await this.writeBody(this.spelling.malformedChunk());
    }
  }

  /** Ends the reply with an error: a status while nothing is sent, else the surface's mid-stream error. */
  fail(status: number, message: string): void {
    const { res } = this.target;
    if (!res.headersSent) {
      const reply = this.spelling.errorBeforeStart(status, message);
      this.sendNow(status, reply.contentType, reply.body);
      return;
    }
    res.end(this.spelling.midStreamError(message));
  }

  /** Sends a whole (non-streamed) body; faults cut it in half, drip it, or replace it. */
  async sendWhole(status: number, contentType: string | undefined, body: string): Promise<void> {
    this.failIfHttp500();
    const fault = this.fault && !this.faultFired ? this.fault : undefined;
    if (fault && ['stall', 'reset', 'error_line', 'malformed_line'].includes(fault.kind)) {
      this.faultFired = true;
      if (fault.kind === 'error_line') {
        const reply = this.spelling.errorBeforeStart(
          500,
          fault.message ?? 'llama runner process has terminated: exit status 2',
        );
        this.sendNow(500, reply.contentType, reply.body);
        throw new ReplyEndedByFault(fault.kind);
      }
      if (fault.kind === 'malformed_line') {
        this.sendNow(status, contentType, body.slice(0, Math.ceil(body.length / 2)));
        return;
      }
      const half = Buffer.from(body).subarray(0, Math.floor(Buffer.byteLength(body) / 2));
      if (this.afterChunks > 0) {
        this.target.res.writeHead(status, this.wholeHeaders(contentType, body));
        this.target.res.write(half);
      }
      if (fault.kind === 'stall') await waitForAbort(this.target.signal);
      this.reset();
    }
    if (this.fault?.kind === 'drip') {
      this.target.res.writeHead(status, this.wholeHeaders(contentType, body));
      await this.writeBody(body);
      this.target.res.end();
      return;
    }
    this.sendNow(status, contentType, body);
  }

  private wholeHeaders(contentType: string | undefined, body: string): Record<string, string | number> {
    return goBodyHeaders(contentType, body);
  }

  private sendNow(status: number, contentType: string | undefined, body: string): void {
    const { res } = this.target;
    if (res.headersSent) {
      res.end();
      return;
    }
    res.writeHead(status, this.wholeHeaders(contentType, body));
    res.end(body);
  }

  private reset(): never {
    this.target.markClosedByServer();
    const socket = this.target.res.socket;
    if (socket) socket.resetAndDestroy();
    throw new ReplyEndedByFault('reset');
  }

  /** Writes bytes at once, or in small pieces one per interval under a drip fault. */
  private async writeBody(text: string): Promise<void> {
    const { res, signal } = this.target;
    if (this.fault?.kind !== 'drip') {
      res.write(text);
      return;
    }
    const bytes = Buffer.from(text);
    const pieceBytes = Math.max(1, this.fault.dripBytes ?? 16);
    const intervalMs = this.fault.dripIntervalMs ?? 50;
    for (let offset = 0; offset < bytes.length; offset += pieceBytes) {
      if (this.lastDripAtMs !== undefined)
        await sleep(this.lastDripAtMs + intervalMs - monotonicMs(), signal);
      res.write(bytes.subarray(offset, offset + pieceBytes));
      this.lastDripAtMs = monotonicMs();
    }
  }
}
