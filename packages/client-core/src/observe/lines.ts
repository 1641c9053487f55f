/**
 * Splits the chunks of a line-framed body into lines without copying them: a line inside one chunk
 * is handed on as a range of that chunk; only a line split across chunk boundaries is joined (into
 * the observer's own small buffer, never into the bytes that flow to the caller).
 */
import { asBuffer } from './frames.ts';

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
