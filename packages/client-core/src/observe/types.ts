/** What every body observer reports. */
import type { BodyFraming, OllamaFinalMetrics } from '../events.ts';

/** What an observer saw by the end of a body. */
export interface ObservedBody {
  /** The stream's final frame arrived (`done:true`, `status:"success"`, `data: [DONE]`); always true for single bodies. */
  complete: boolean;
  /** Text of the first error frame (streams) or of the error body (status >= 400). */
  errorText: string | undefined;
  /** A sample of the first line that was not a frame. */
  malformed: string | undefined;
  metrics: OllamaFinalMetrics;
}

/** Watches the chunks of one response body as they are handed to the caller. */
export interface BodyObserver {
  readonly framing: BodyFraming;
  /** Observes one chunk; returns the content-bearing frames (tokens) it completed. */
  observe(chunk: Uint8Array): number;
  /** A sample of the first malformed frame, as soon as one is seen. */
  readonly malformed: string | undefined;
  /** Ends the body and reports. */
  finish(): ObservedBody;
}
