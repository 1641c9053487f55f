/**
 * Splits the chunks of a line-framed body into lines without copying them: a line inside one chunk
 * is handed on as a range of that chunk; only a line split across chunk boundaries is joined (into
 * the observer's own small buffer, never into the bytes that flow to the caller).
 */
import type { BodyFraming, OllamaFinalMetrics } from '../events.ts';
import { asBuffer } from './frames.ts';
import type { BodyObserver, ObservedBody } from './types.ts';

const LF = 0x0a;

/** Receives each complete line as `buf[start, end)` (newline excluded); returns frames that carry content. */
export type LineHandler = (buf: Buffer, start: number, end: number) => number;

export class LineSplitter {
  #pieces: Buffer[] = [];
  readonly #onLine: LineHandler;

  constructor(onLine: LineHandler) {
    this.#onLine = onLine;
  }

  /** Feeds one chunk; returns the sum of what the handler returned for the lines it completed. */
  push(chunk: Uint8Array): number {
    const buf = asBuffer(chunk);
    let start = 0;
    let counted = 0;
    for (;;) {
      const nl = buf.indexOf(LF, start);
      if (nl === -1) {
        if (start < buf.length) this.#pieces.push(buf.subarray(start));
        return counted;
      }
      if (this.#pieces.length > 0) {
        this.#pieces.push(buf.subarray(start, nl));
        const line = Buffer.concat(this.#pieces);
        this.#pieces = [];
        counted += this.#onLine(line, 0, line.length);
      } else {
        counted += this.#onLine(buf, start, nl);
      }
      start = nl + 1;
    }
  }

  /** Hands on a last line that had no newline; returns what the handler returned. */
  flush(): number {
    if (this.#pieces.length === 0) return 0;
    const line = Buffer.concat(this.#pieces);
    this.#pieces = [];
    return this.#onLine(line, 0, line.length);
  }
}

/**
 * Base of the observers of line-framed streams (NDJSON, SSE): feeds chunks through a `LineSplitter`
 * to `onLine`, which records what it finds in the protected fields, and reports them at the end.
 */
export abstract class LineObserver implements BodyObserver {
  abstract readonly framing: BodyFraming;
  readonly #lines = new LineSplitter((buf, s, e) => this.onLine(buf, s, e));
  /** The final frame arrived. */
  protected complete = false;
  /** Text of the first error frame. */
  protected errorText: string | undefined;
  /** A sample of the first line that was not a frame. */
  protected malformedSample: string | undefined;
  protected metrics: OllamaFinalMetrics = {};

  get malformed(): string | undefined {
    return this.malformedSample;
  }

  observe(chunk: Uint8Array): number {
    return this.#lines.push(chunk);
  }

  finish(): ObservedBody {
    this.#lines.flush();
    return {
      complete: this.complete,
      errorText: this.errorText,
      malformed: this.malformedSample,
      metrics: this.metrics,
    };
  }

  /** One complete line `buf[start, end)`; returns 1 when it is a frame carrying content, else 0. */
  protected abstract onLine(buf: Buffer, start: number, end: number): number;
}
