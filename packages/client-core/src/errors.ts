/**
 * Errors of the core: one class per failure, each with a literal `code` and exactly one `Outcome`.
 * Guards check a brand and the code, not `instanceof`, so they hold across copies of this package.
 */
import type { Outcome } from './events.ts';

/** Where in a call a failure happened. */
export type CallPhase = 'queue' | 'connect' | 'first_byte' | 'body' | 'backoff';

const CODE_LIST = [
  'LOOKOUT_CONNECT_TIMEOUT',
  'LOOKOUT_FIRST_BYTE_TIMEOUT',
  'LOOKOUT_IDLE_TIMEOUT',
  'LOOKOUT_TOTAL_TIMEOUT',
  'LOOKOUT_QUEUE_FULL',
  'LOOKOUT_QUEUE_TIMEOUT',
  'LOOKOUT_UPSTREAM_BUSY',
  'LOOKOUT_UPSTREAM_HTTP',
  'LOOKOUT_BAD_REQUEST',
  'LOOKOUT_NETWORK',
  'LOOKOUT_STREAM',
  'LOOKOUT_ABORTED',
  'LOOKOUT_SHUTDOWN',
] as const;

/** Every code the core produces. */
export type LookoutErrorCode = (typeof CODE_LIST)[number];

/** The request a failure belongs to, for messages and for callers that log. */
export interface ErrorContext {
  method?: string | undefined;
  url?: string | undefined;
  phase?: CallPhase | undefined;
  target?: string | undefined;
  attempt?: number | undefined;
  cause?: unknown;
}

const BRAND: unique symbol = Symbol.for('lookout.client-core.error');

function where(ctx: ErrorContext): string {
  const parts: string[] = [];
  if (ctx.method !== undefined || ctx.url !== undefined)
    parts.push(`${ctx.method ?? ''} ${ctx.url ?? ''}`.trim());
  const tags: string[] = [];
  if (ctx.phase !== undefined) tags.push(`phase ${ctx.phase}`);
  if (ctx.target !== undefined) tags.push(`target ${ctx.target}`);
  if (ctx.attempt !== undefined) tags.push(`attempt ${ctx.attempt}`);
  if (tags.length > 0) parts.push(`(${tags.join(', ')})`);
  return parts.length > 0 ? `: ${parts.join(' ')}` : '';
}

/**
 * Base of every error the core produces. Each concrete class states its `name` as a literal: a bundler
 * renames clashing classes (dist/demo.js has two `QueueFullError`s), so `new.target.name` would not do.
 */
export abstract class LookoutError extends Error {
  abstract readonly code: LookoutErrorCode;
  abstract readonly outcome: Exclude<Outcome, 'ok'>;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly phase: CallPhase | undefined;
  readonly target: string | undefined;
  readonly attempt: number | undefined;
  readonly [BRAND] = true;

  protected constructor(summary: string, ctx: ErrorContext) {
    super(`${summary}${where(ctx)}`, ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.method = ctx.method;
    this.url = ctx.url;
    this.phase = ctx.phase;
    this.target = ctx.target;
    this.attempt = ctx.attempt;
  }

  /** The plain `{code, message}` shape to send over a wire. */
  toJSON(): { code: LookoutErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** A timeout: `budgetMs` is the budget that ran out. */
export abstract class LookoutTimeoutError extends LookoutError {
  readonly budgetMs: number;
  protected constructor(what: string, budgetMs: number, ctx: ErrorContext) {
    super(`${what} after ${budgetMs} ms`, ctx);
    this.budgetMs = budgetMs;
  }
}

/** The TCP connection was not established within `connectTimeoutMs`. */
export class ConnectTimeoutError extends LookoutTimeoutError {
  override readonly name = 'ConnectTimeoutError';
  readonly code = 'LOOKOUT_CONNECT_TIMEOUT' as const;
  readonly outcome = 'timeout_connect' as const;
  constructor(budgetMs: number, ctx: ErrorContext = {}) {
    super('connect timeout', budgetMs, { phase: 'connect', ...ctx });
  }
}

/** No response headers within `firstByteTimeoutMs` of sending the request. */
export class FirstByteTimeoutError extends LookoutTimeoutError {
  override readonly name = 'FirstByteTimeoutError';
  readonly code = 'LOOKOUT_FIRST_BYTE_TIMEOUT' as const;
  readonly outcome = 'timeout_first_byte' as const;
  constructor(budgetMs: number, ctx: ErrorContext = {}) {
    super('first-byte timeout', budgetMs, { phase: 'first_byte', ...ctx });
  }
}

/** No body chunk within `idleTimeoutMs` of the previous one. */
export class IdleTimeoutError extends LookoutTimeoutError {
  override readonly name = 'IdleTimeoutError';
  readonly code = 'LOOKOUT_IDLE_TIMEOUT' as const;
  readonly outcome = 'timeout_idle' as const;
  constructor(budgetMs: number, ctx: ErrorContext = {}) {
    super('idle timeout', budgetMs, { phase: 'body', ...ctx });
  }
}

/** The whole call (retries included, first queue wait excluded) ran past `totalTimeoutMs`. */
export class TotalTimeoutError extends LookoutTimeoutError {
  override readonly name = 'TotalTimeoutError';
  readonly code = 'LOOKOUT_TOTAL_TIMEOUT' as const;
  readonly outcome = 'timeout_total' as const;
  constructor(budgetMs: number, ctx: ErrorContext = {}) {
    super('total timeout', budgetMs, ctx);
  }
}

/**
 * The process is stopping and the call did not finish within the drain budget. Counted as
 * `timeout_total`: the drain deadline is the last total budget the call gets.
 */
export class ShutdownError extends LookoutTimeoutError {
  override readonly name = 'ShutdownError';
  readonly code = 'LOOKOUT_SHUTDOWN' as const;
  readonly outcome = 'timeout_total' as const;
  constructor(drainBudgetMs: number, ctx: ErrorContext = {}) {
    super('shutting down: the call did not finish within the drain timeout', drainBudgetMs, ctx);
  }
}

/** The target's queue was full when the call arrived. */
export class QueueFullError extends LookoutError {
  override readonly name = 'QueueFullError';
  readonly code = 'LOOKOUT_QUEUE_FULL' as const;
  readonly outcome = 'queue_full' as const;
  readonly gate: string;
  readonly inFlight: number;
  readonly queueDepth: number;
  constructor(gate: string, inFlight: number, queueDepth: number, ctx: ErrorContext = {}) {
    super(`queue of ${gate} is full: ${inFlight} running, ${queueDepth} waiting`, { phase: 'queue', ...ctx });
    this.gate = gate;
    this.inFlight = inFlight;
    this.queueDepth = queueDepth;
  }
}

/** The call waited in the target's queue longer than `queueTimeoutMs`. */
export class QueueTimeoutError extends LookoutTimeoutError {
  override readonly name = 'QueueTimeoutError';
  readonly code = 'LOOKOUT_QUEUE_TIMEOUT' as const;
  readonly outcome = 'queue_timeout' as const;
  readonly gate: string;
  constructor(gate: string, budgetMs: number, ctx: ErrorContext = {}) {
    super(`queue wait at ${gate} ran out`, budgetMs, { phase: 'queue', ...ctx });
    this.gate = gate;
  }
}

/** Fields shared by the errors that carry an upstream HTTP status. */
export interface HttpErrorDetails {
  status: number;
  /** Ollama's `error` text (native or `/v1` shape), when the body had one. */
  upstreamMessage?: string | undefined;
  /** Parsed `Retry-After`, in ms, when the response had one. */
  retryAfterMs?: number | undefined;
  /** The core refused to send the request (no upstream status). */
  refusedLocally?: boolean | undefined;
}

function httpSummary(d: HttpErrorDetails): string {
  const text = d.upstreamMessage ? ` "${d.upstreamMessage}"` : '';
  return d.refusedLocally ? `request refused before sending${text}` : `upstream HTTP ${d.status}${text}`;
}

/** An error with an HTTP status: `status` and Ollama's `error` text, when the body had one. */
abstract class LookoutStatusError extends LookoutError {
  readonly status: number;
  readonly upstreamMessage: string | undefined;
  protected constructor(prefix: string, details: HttpErrorDetails, ctx: ErrorContext) {
    super(`${prefix}${httpSummary(details)}`, ctx);
    this.status = details.status;
    this.upstreamMessage = details.upstreamMessage;
  }
}

/** Upstream answered 503 (Ollama: "server busy ... maximum pending requests exceeded"). */
export class UpstreamBusyError extends LookoutStatusError {
  override readonly name = 'UpstreamBusyError';
  readonly code = 'LOOKOUT_UPSTREAM_BUSY' as const;
  readonly outcome = 'upstream_busy' as const;
  readonly retryAfterMs: number | undefined;
  constructor(details: HttpErrorDetails, ctx: ErrorContext = {}) {
    super('upstream busy: ', details, ctx);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Upstream answered with an error status other than 400 and 503 (404 model not found, 500, 502...). */
export class UpstreamHttpError extends LookoutStatusError {
  override readonly name = 'UpstreamHttpError';
  readonly code = 'LOOKOUT_UPSTREAM_HTTP' as const;
  readonly outcome = 'upstream_error' as const;
  readonly retryAfterMs: number | undefined;
  constructor(details: HttpErrorDetails, ctx: ErrorContext = {}) {
    super('', details, ctx);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * The request was refused as invalid: upstream answered 400, or the core could not send it
 * (a header undici refuses, a bad target URL). `status` is 400 in both cases.
 */
export class BadRequestError extends LookoutStatusError {
  override readonly name = 'BadRequestError';
  readonly code = 'LOOKOUT_BAD_REQUEST' as const;
  readonly outcome = 'bad_request' as const;
  constructor(details: HttpErrorDetails, ctx: ErrorContext = {}) {
    super('bad request: ', details, ctx);
  }
}

/** Connection refused, reset, DNS failure, socket closed early, or no target to send to. */
export class NetworkError extends LookoutError {
  override readonly name = 'NetworkError';
  readonly code = 'LOOKOUT_NETWORK' as const;
  readonly outcome = 'network_error' as const;
  /** The low-level code (`ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, `UND_ERR_SOCKET`, `NO_TARGET`...). */
  readonly reason: string;
  constructor(reason: string, detail: string, ctx: ErrorContext = {}) {
    super(`network error ${reason}${detail ? ` (${detail})` : ''}`, ctx);
    this.reason = reason;
  }
}

/** Why a stream failed although its HTTP status was fine. */
export type StreamFailure = 'error_frame' | 'missing_done' | 'malformed_frame';

/** A stream went wrong: a `{"error"}` frame, an end without `done`, or a line that is not a frame. */
export class StreamError extends LookoutError {
  override readonly name = 'StreamError';
  readonly code = 'LOOKOUT_STREAM' as const;
  readonly outcome = 'upstream_error' as const;
  readonly reason: StreamFailure;
  /** The upstream's error text for `error_frame`, a sample of the line for `malformed_frame`. */
  readonly detail: string | undefined;
  constructor(reason: StreamFailure, detail: string | undefined, ctx: ErrorContext = {}) {
    const what =
      reason === 'error_frame'
        ? `stream error frame "${detail ?? ''}"`
        : reason === 'missing_done'
          ? 'stream ended without a final frame'
          : `malformed stream frame ${JSON.stringify(detail ?? '')}`;
    super(what, { phase: 'body', ...ctx });
    this.reason = reason;
    this.detail = detail;
  }
}

/** The caller aborted (its `AbortSignal` fired, or it stopped reading the body). */
export class AbortedError extends LookoutError {
  override readonly name = 'AbortedError';
  readonly code = 'LOOKOUT_ABORTED' as const;
  readonly outcome = 'client_abort' as const;
  constructor(ctx: ErrorContext = {}) {
    super('aborted by the caller', ctx);
  }
}

const CODES: ReadonlySet<string> = new Set<LookoutErrorCode>(CODE_LIST);

function hasCode(e: unknown, ...codes: LookoutErrorCode[]): boolean {
  return isLookoutError(e) && codes.includes(e.code);
}

/** Any error of the core. */
export function isLookoutError(e: unknown): e is LookoutError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as Record<symbol, unknown>)[BRAND] === true &&
    CODES.has((e as { code?: unknown }).code as string)
  );
}

/** One of the four call timeouts (connect, first byte, idle, total); queue timeout is apart. */
export function isTimeoutError(
  e: unknown,
): e is ConnectTimeoutError | FirstByteTimeoutError | IdleTimeoutError | TotalTimeoutError {
  return hasCode(
    e,
    'LOOKOUT_CONNECT_TIMEOUT',
    'LOOKOUT_FIRST_BYTE_TIMEOUT',
    'LOOKOUT_IDLE_TIMEOUT',
    'LOOKOUT_TOTAL_TIMEOUT',
  );
}

/** Refused or timed out by a gate: the upstream never saw the call. */
export function isQueueError(e: unknown): e is QueueFullError | QueueTimeoutError {
  return hasCode(e, 'LOOKOUT_QUEUE_FULL', 'LOOKOUT_QUEUE_TIMEOUT');
}

/** Upstream answered with an error status (400, 503, or any other >= 400). */
export function isHttpError(e: unknown): e is UpstreamHttpError | UpstreamBusyError | BadRequestError {
  return hasCode(e, 'LOOKOUT_UPSTREAM_HTTP', 'LOOKOUT_UPSTREAM_BUSY', 'LOOKOUT_BAD_REQUEST');
}

/** The caller gave up. */
export function isAbortedError(e: unknown): e is AbortedError {
  return hasCode(e, 'LOOKOUT_ABORTED');
}

/** A stream failed mid-way (error frame, missing final frame, malformed frame). */
export function isStreamError(e: unknown): e is StreamError {
  return hasCode(e, 'LOOKOUT_STREAM');
}

/** A network failure (refused, reset, DNS, early close). */
export function isNetworkError(e: unknown): e is NetworkError {
  return hasCode(e, 'LOOKOUT_NETWORK');
}
