/**
 * Byte-level helpers shared by the NDJSON and SSE observers: they look at the bytes flowing to the
 * caller in place (Buffer views, native `indexOf`) and parse JSON only for the rare frames that
 * matter (final, error, usage).
 */
import type { OllamaFinalMetrics } from '../events.ts';

/** Views any Uint8Array as a Buffer without copying. */
export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * A byte pattern searched at most once per region of a chunk: the position found for the first line
 * stays valid for the following lines of the same chunk, so a chunk of many lines costs one scan.
 */
export class Needle {
  readonly bytes: Buffer;
  #buf: Buffer | undefined;
  #from = 0;
  #pos = -1;

  constructor(text: string) {
    this.bytes = Buffer.from(text, 'latin1');
  }

  /** Whether the pattern occurs entirely inside `buf[start, end)`. Call with increasing `start` per buffer. */
  within(buf: Buffer, start: number, end: number): boolean {
    if (buf !== this.#buf || start < this.#from || (this.#pos !== -1 && this.#pos < start)) {
      this.#buf = buf;
      this.#from = start;
      this.#pos = buf.indexOf(this.bytes, start);
    }
    return this.#pos !== -1 && this.#pos + this.bytes.length <= end;
  }

  /** Whether `buf[start, end)` begins with the pattern. */
  startsAt(buf: Buffer, start: number, end: number): boolean {
    const n = this.bytes.length;
    if (end - start < n) return false;
    for (let i = 0; i < n; i++) if (buf[start + i] !== this.bytes[i]) return false;
    return true;
  }
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Index after trimming spaces, tabs and CR at the end of `buf[start, end)`. */
export function trimEnd(buf: Buffer, start: number, end: number): number {
  let e = end;
  while (e > start) {
    const c = buf[e - 1];
    if (c === 0x0d || c === 0x20 || c === 0x09) e--;
    else break;
  }
  return e;
}

/** Index after skipping spaces and tabs at the start of `buf[start, end)`. */
export function trimStart(buf: Buffer, start: number, end: number): number {
  let s = start;
  while (s < end && (buf[s] === 0x20 || buf[s] === 0x09)) s++;
  return s;
}

/** A cheap shape check: a JSON object frame starts with `{` and ends with `}`. */
export function looksLikeObject(buf: Buffer, start: number, end: number): boolean {
  return end > start && buf[start] === OPEN_BRACE && buf[end - 1] === CLOSE_BRACE;
}

/** Parses `buf[start, end)` as a JSON object; undefined when it is not one. */
export function parseObject(buf: Buffer, start: number, end: number): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(buf.toString('utf8', start, end));
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Ollama's error text from a native `{"error":"..."}` or `/v1` `{"error":{"message":...}}` object. */
export function errorTextOf(obj: Record<string, unknown> | undefined): string | undefined {
  const e = obj?.error;
  if (typeof e === 'string') return e;
  if (typeof e === 'object' && e !== null) {
    const m = (e as Record<string, unknown>).message;
    if (typeof m === 'string') return m;
  }
  return undefined;
}

/** A short printable sample of a bad frame, for error messages. */
export function sampleOf(buf: Buffer, start: number, end: number): string {
  const max = 120;
  const text = buf.toString('utf8', start, Math.min(end, start + max));
  return end - start > max ? `${text}...` : text;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function put<K extends keyof OllamaFinalMetrics>(
  m: OllamaFinalMetrics,
  key: K,
  v: OllamaFinalMetrics[K] | undefined,
): void {
  if (v !== undefined) m[key] = v;
}

/** Metrics of a native final object (`total_duration`, `eval_count`, ... in nanoseconds). */
export function metricsOfNative(obj: Record<string, unknown>): OllamaFinalMetrics {
  const m: OllamaFinalMetrics = {};
  put(m, 'totalDurationNs', num(obj.total_duration));
  put(m, 'loadDurationNs', num(obj.load_duration));
  put(m, 'promptEvalCount', num(obj.prompt_eval_count));
  put(m, 'promptEvalDurationNs', num(obj.prompt_eval_duration));
  put(m, 'evalCount', num(obj.eval_count));
  put(m, 'evalDurationNs', num(obj.eval_duration));
  if (typeof obj.done_reason === 'string') m.doneReason = obj.done_reason;
  return m;
}

/** Adds `/v1` usage (`prompt_tokens`, `completion_tokens`) and `finish_reason` to metrics. */
export function addOpenAiMetrics(m: OllamaFinalMetrics, obj: Record<string, unknown>): void {
  const usage = obj.usage;
  if (typeof usage === 'object' && usage !== null) {
    const u = usage as Record<string, unknown>;
    put(m, 'promptEvalCount', num(u.prompt_tokens));
    put(m, 'evalCount', num(u.completion_tokens));
  }
  const choices = obj.choices;
  if (Array.isArray(choices)) {
    for (const c of choices) {
      const reason = (c as Record<string, unknown> | null)?.finish_reason;
      if (typeof reason === 'string') m.doneReason = reason;
    }
  }
}
