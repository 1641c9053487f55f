/**
 * From what a client saw to the outcome Lookout must have counted for the call. Lookout writes what it
 * decided onto the wire: the status and `X-Lookout-Queue-Ms` say whether an error status is its own or
 * the upstream's passed through, its own errors carry the core's message, and a stream that fails after
 * its first byte ends with an error frame naming the failure.
 */
import type { Outcome } from '@lookout/client-core';
import type { ClientView } from './client-call.ts';
import type { CallPlan } from './plan.ts';

/**
 * An outcome; `ambiguous` when the client's view fits several (then `candidates` lists them); or
 * `unclassified` when it fits none, which is a defect of Lookout's wire or of this classifier.
 */
export interface Classified {
  outcome: Outcome | 'ambiguous' | 'unclassified';
  candidates?: readonly Outcome[];
  /** A fact about the call worth counting beside its outcome (e.g. a body that is not JSON). */
  note?: ClassNote;
}

/**
 * A one-piece body (`stream:false`, embeddings) that fails after its headers: Lookout closes the
 * connection before the body's end, the only signal HTTP/1.1 has once a Content-Length or a JSON
 * document has begun. The client sees a cut body and cannot tell which failure cut it: an idle gap
 * (a stalled or dripping upstream), the total budget, or the upstream's connection reset.
 */
export const CUT_ONE_PIECE_CANDIDATES: readonly Outcome[] = [
  'timeout_idle',
  'timeout_total',
  'network_error',
];

export type ClassNote =
  /** A one-piece 200 body that is not a whole JSON object: passed on as sent, counted as the upstream's error. */
  | 'one_piece_not_json'
  /** The response declared a length it never reached, and the connection stayed open. */
  | 'stuck_short_of_length'
  /** The response stopped sending without ending. */
  | 'stuck'
  | 'request_failed'
  | 'connection_closed_mid_body'
  | 'one_piece_cut_after_headers'
  | 'stream_without_end'
  | 'unknown_error_text';

/** The core's error summaries (client-core errors.ts), first words of each message. */
const LOOKOUT_MESSAGES: readonly (readonly [RegExp, Outcome])[] = [
  [/^connect timeout after /, 'timeout_connect'],
  [/^first-byte timeout after /, 'timeout_first_byte'],
  [/^idle timeout after /, 'timeout_idle'],
  [/^total timeout after /, 'timeout_total'],
  [/^shutting down: /, 'timeout_total'],
  [/^queue of .+ is full/, 'queue_full'],
  [/^queue wait at .+ ran out/, 'queue_timeout'],
  [/^upstream busy: /, 'upstream_busy'],
  [/^upstream HTTP \d+/, 'upstream_error'],
  [/^request refused before sending/, 'bad_request'],
  [/^bad request: /, 'bad_request'],
  [/^network error /, 'network_error'],
  [/^no target could be reached/, 'network_error'],
  [/^stream error frame /, 'upstream_error'],
  [/^stream ended without a final frame/, 'upstream_error'],
  [/^malformed stream frame /, 'upstream_error'],
  [/^aborted by the caller/, 'client_abort'],
];

/** The outcome a message of the core stands for (`lookout: ` prefix allowed); undefined if none. */
export function outcomeOfLookoutMessage(message: string): Outcome | undefined {
  const text = message.startsWith('lookout: ') ? message.slice('lookout: '.length) : message;
  for (const [pattern, outcome] of LOOKOUT_MESSAGES) if (pattern.test(text)) return outcome;
  return undefined;
}

/** The `error` text of an Ollama-shaped body or frame (`{"error":"..."}` or `{"error":{"message"}}`). */
export function errorTextOf(json: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const error = (value as { error?: unknown }).error;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return undefined;
}

function parses(json: string): boolean {
  try {
    JSON.parse(json);
    return true;
  } catch {
    return false;
  }
}

/** An error frame at the end of a body: Lookout's own (its message) or the upstream's (upstream_error). */
function errorFrameOutcome(frame: string): Outcome | undefined {
  const text = errorTextOf(frame);
  if (text === undefined) return undefined;
  return outcomeOfLookoutMessage(text) ?? 'upstream_error';
}

function lastLine(body: string): string {
  const lines = body.split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? '';
}

/** The outcome Lookout should have counted for a call whose client saw `view`. */
export function classifyCall(plan: CallPlan, view: ClientView): Classified {
  if (view.end === 'aborted') return { outcome: 'client_abort' };
  if (view.status === undefined) return { outcome: 'unclassified', note: 'request_failed' };
  const stuckNote: ClassNote | undefined =
    view.end === 'stuck'
      ? view.contentLengthBytes !== undefined && view.bodyBytes < view.contentLengthBytes
        ? 'stuck_short_of_length'
        : 'stuck'
      : view.end === 'response_error'
        ? 'connection_closed_mid_body'
        : undefined;
  const withNote = (outcome: Outcome | 'unclassified', note?: ClassNote): Classified => {
    const n = stuckNote ?? note;
    return n === undefined ? { outcome } : { outcome, note: n };
  };

  if (view.status >= 400) {
    if (view.passedThrough) {
      if (view.status === 503) return withNote('upstream_busy');
      if (view.status === 400) return withNote('bad_request');
      return withNote('upstream_error');
    }
    const text = errorTextOf(view.last);
    const outcome = text === undefined ? undefined : outcomeOfLookoutMessage(text);
    return outcome ? withNote(outcome) : withNote('unclassified', 'unknown_error_text');
  }

  if (plan.framing === 'single') {
    // One piece: complete JSON is ok; a body cut by a failure ends with Lookout's error line.
    const body = view.last;
    if (view.end === 'complete' && parses(body)) return withNote('ok');
    const fromFrame = errorFrameOutcome(lastLine(body));
    if (fromFrame) return withNote(fromFrame);
    if (view.end === 'complete') return withNote('upstream_error', 'one_piece_not_json');
    if (view.end === 'response_error') {
      return {
        outcome: 'ambiguous',
        candidates: CUT_ONE_PIECE_CANDIDATES,
        note: 'one_piece_cut_after_headers',
      };
    }
    return withNote('unclassified');
  }

  // A stream: its last frame says how it ended.
  const frame = plan.framing === 'sse' ? view.last.replace(/^data: ?/, '') : view.last;
  if (plan.framing === 'sse' ? frame.trim() === '[DONE]' : isFinalLine(frame)) {
    return withNote(view.end === 'complete' && view.trailing === '' ? 'ok' : 'unclassified');
  }
  const fromFrame = errorFrameOutcome(frame);
  if (fromFrame) return withNote(fromFrame);
  return withNote('unclassified', 'stream_without_end');
}

function isFinalLine(line: string): boolean {
  try {
    const value = JSON.parse(line) as { done?: unknown };
    return value.done === true;
  } catch {
    return false;
  }
}
