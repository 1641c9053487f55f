/**
 * Observer of one-piece bodies (`stream:false`, embeddings, lists, error responses). It keeps
 * references to the first chunks of an error body (for Ollama's `error` text) and to the last
 * chunks of a success body (Ollama puts the metrics at the end of the object), never the whole body.
 */
import type { EndpointKind, OllamaFinalMetrics } from '../events.ts';
import { asBuffer, errorTextOf, parseObject } from './frames.ts';
import type { BodyObserver, ObservedBody } from './types.ts';

const ERROR_HEAD_BYTES = 16 * 1024;
const METRICS_TAIL_BYTES = 2 * 1024;

const NUMERIC_FIELDS: Readonly<Record<string, keyof OllamaFinalMetrics>> = {
  total_duration: 'totalDurationNs',
  load_duration: 'loadDurationNs',
  prompt_eval_count: 'promptEvalCount',
  prompt_eval_duration: 'promptEvalDurationNs',
  eval_count: 'evalCount',
  eval_duration: 'evalDurationNs',
  prompt_tokens: 'promptEvalCount',
  completion_tokens: 'evalCount',
};
const METRIC_RE =
  /"(total_duration|load_duration|prompt_eval_count|prompt_eval_duration|eval_count|eval_duration|prompt_tokens|completion_tokens)":(\d+)/g;
const REASON_RE = /"(?:done_reason|finish_reason)":"([^"\\]{1,64})"/g;

const CLOSE_BRACE = 0x7d;

/** The last byte of `buf` that is not JSON whitespace, or -1. */
function lastNonSpace(buf: Buffer): number {
  for (let i = buf.length - 1; i >= 0; i--) {
    const b = buf[i]!;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b;
  }
  return -1;
}

export class SingleBodyObserver implements BodyObserver {
  readonly framing = 'single' as const;
  /** Only known at the end (see `finish`). */
  readonly malformed = undefined;
  readonly #isError: boolean;
  readonly #wantsMetrics: boolean;
  #pieces: Buffer[] = [];
  #kept = 0;

  constructor(endpoint: EndpointKind, status: number) {
    this.#isError = status >= 400;
    this.#wantsMetrics = !this.#isError && endpoint !== 'other' && endpoint !== 'pull';
  }

  observe(chunk: Uint8Array): number {
    if (this.#isError) {
      if (this.#kept < ERROR_HEAD_BYTES) {
        this.#pieces.push(asBuffer(chunk));
        this.#kept += chunk.byteLength;
      }
    } else if (this.#wantsMetrics) {
      this.#pieces.push(asBuffer(chunk));
      this.#kept += chunk.byteLength;
      // Drop the oldest pieces while the rest still cover the tail.
      while (this.#pieces.length > 1 && this.#kept - this.#pieces[0]!.byteLength >= METRICS_TAIL_BYTES) {
        this.#kept -= this.#pieces.shift()!.byteLength;
      }
    }
    return 0;
  }

  finish(): ObservedBody {
    const body = this.#pieces.length === 1 ? this.#pieces[0]! : Buffer.concat(this.#pieces);
    this.#pieces = [];
    const metrics: OllamaFinalMetrics = {};
    let errorText: string | undefined;
    if (this.#isError) {
      const head = body.subarray(0, ERROR_HEAD_BYTES);
      errorText = errorTextOf(parseObject(head, 0, head.length));
      if (errorText === undefined) {
        const text = head.toString('utf8').trim();
        errorText = text.length > 0 ? text.slice(0, 200) : undefined;
      }
    } else if (this.#wantsMetrics) {
      const tail = body.subarray(Math.max(0, body.length - METRICS_TAIL_BYTES)).toString('utf8');
      // exec loops, not matchAll: matchAll clones the regex on every call (measurable per relayed call).
      METRIC_RE.lastIndex = 0;
      for (let m = METRIC_RE.exec(tail); m !== null; m = METRIC_RE.exec(tail)) {
        metrics[NUMERIC_FIELDS[m[1]!]! as 'evalCount'] = Number(m[2]);
      }
      REASON_RE.lastIndex = 0;
      for (let m = REASON_RE.exec(tail); m !== null; m = REASON_RE.exec(tail)) metrics.doneReason = m[1]!;
    }
    // Ollama's JSON answers are one object: a success body that does not end as one was cut upstream
    // (sent short with a matching Content-Length), whatever the status said.
    let malformed: string | undefined;
    if (this.#wantsMetrics && lastNonSpace(body) !== CLOSE_BRACE) {
      const tail = body.subarray(Math.max(0, body.length - 60)).toString('utf8');
      malformed = `a JSON body that does not end with "}": ...${tail}`;
    }
    return { complete: true, errorText, malformed, metrics };
  }
}
