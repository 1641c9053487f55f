/** Observer of native Ollama streams: one JSON object per line (`application/x-ndjson`). */
import type { EndpointKind } from '../events.ts';
import {
  errorTextOf,
  looksLikeObject,
  metricsOfNative,
  Needle,
  parseObject,
  sampleOf,
  trimEnd,
  trimStart,
} from './frames.ts';
import { LineObserver } from './lines.ts';

const ERROR_PREFIX = '{"error"';

export class NdjsonObserver extends LineObserver {
  readonly framing = 'ndjson' as const;
  readonly #generation: boolean;
  readonly #done = new Needle('"done":true');
  readonly #success = new Needle('"status":"success"');
  readonly #error = new Needle(ERROR_PREFIX);

  constructor(endpoint: EndpointKind) {
    super();
    this.#generation = endpoint === 'generate' || endpoint === 'chat';
  }

  protected onLine(buf: Buffer, start: number, end: number): number {
    const e = trimEnd(buf, start, end);
    const s = trimStart(buf, start, e);
    if (s === e) return 0;
    if (!looksLikeObject(buf, s, e)) {
      this.malformedSample ??= sampleOf(buf, s, e);
      return 0;
    }
    if (this.#error.startsAt(buf, s, e)) {
      this.errorText ??= errorTextOf(parseObject(buf, s, e)) ?? sampleOf(buf, s, e);
      return 0;
    }
    if (this.#done.within(buf, s, e)) {
      const final = parseObject(buf, s, e);
      if (final === undefined) {
        this.malformedSample ??= sampleOf(buf, s, e);
        return 0;
      }
      this.complete = true;
      this.metrics = metricsOfNative(final);
      return 0;
    }
    if (!this.#generation && this.#success.within(buf, s, e)) {
      this.complete = true;
      return 0;
    }
    return this.#generation && !this.complete ? 1 : 0;
  }
}
