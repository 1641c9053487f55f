/** Observer of `/v1` streams: server-sent events, `data: <json>` frames ending with `data: [DONE]`. */
import {
  addOpenAiMetrics,
  errorTextOf,
  looksLikeObject,
  Needle,
  parseObject,
  sampleOf,
  trimEnd,
  trimStart,
} from './frames.ts';
import { LineObserver } from './lines.ts';

export class SseObserver extends LineObserver {
  readonly framing = 'sse' as const;
  readonly #data = new Needle('data:');
  readonly #doneMarker = new Needle('[DONE]');
  readonly #error = new Needle('{"error"');
  // Ollama writes `"finish_reason":null` on every content chunk and a string on the last one.
  readonly #contentChunk = new Needle('"finish_reason":null');
  readonly #finishReason = new Needle('"finish_reason":"');
  readonly #usage = new Needle('"usage":{');

  protected onLine(buf: Buffer, start: number, end: number): number {
    const e = trimEnd(buf, start, end);
    // Blank lines end events; `event:`, `id:`, `retry:` and `:` comments carry no frame.
    if (e === start || !this.#data.startsAt(buf, start, e)) return 0;
    const s = trimStart(buf, start + 5, e);
    if (this.#doneMarker.startsAt(buf, s, e) && e - s === 6) {
      this.complete = true;
      return 0;
    }
    if (!looksLikeObject(buf, s, e)) {
      this.malformedSample ??= sampleOf(buf, s, e);
      return 0;
    }
    if (this.#error.startsAt(buf, s, e)) {
      this.errorText ??= errorTextOf(parseObject(buf, s, e)) ?? sampleOf(buf, s, e);
      return 0;
    }
    if (this.#contentChunk.within(buf, s, e)) return this.complete ? 0 : 1;
    if (this.#finishReason.within(buf, s, e) || this.#usage.within(buf, s, e)) {
      const obj = parseObject(buf, s, e);
      if (obj === undefined) this.malformedSample ??= sampleOf(buf, s, e);
      else addOpenAiMetrics(this.metrics, obj);
    }
    return 0;
  }
}
