/** Normalises low-level failures (undici, node sockets, DNS) into the core's errors, in one place. */
import {
  AbortedError,
  BadRequestError,
  ConnectTimeoutError,
  type ErrorContext,
  FirstByteTimeoutError,
  IdleTimeoutError,
  isLookoutError,
  type LookoutError,
  NetworkError,
} from './errors.ts';

/** Context for normalising: where the call was and which budgets applied. */
export interface TransportErrorContext extends ErrorContext {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
}

function codeOf(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Maps any error from a transport to a `LookoutError`, keeping the original as `cause`. */
export function toLookoutError(error: unknown, ctx: TransportErrorContext): LookoutError {
  if (isLookoutError(error)) return error;
  const { connectTimeoutMs, firstByteTimeoutMs, idleTimeoutMs, ...base } = ctx;
  const withCause: ErrorContext = { ...base, cause: error };
  const code = codeOf(error);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new ConnectTimeoutError(connectTimeoutMs, { ...withCause, phase: 'connect' });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new FirstByteTimeoutError(firstByteTimeoutMs, { ...withCause, phase: 'first_byte' });
    case 'UND_ERR_BODY_TIMEOUT':
      return new IdleTimeoutError(idleTimeoutMs, { ...withCause, phase: 'body' });
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return new AbortedError(withCause);
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return new NetworkError('POOL_CLOSED', messageOf(error), withCause);
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
    case 'ERR_INVALID_URL':
      return new BadRequestError(
        { status: 400, upstreamMessage: messageOf(error), refusedLocally: true },
        withCause,
      );
    case undefined:
      return new NetworkError('UNKNOWN', messageOf(error), withCause);
    default:
      // ECONNREFUSED, ECONNRESET, EPIPE, ENOTFOUND, EAI_AGAIN, EHOSTUNREACH, UND_ERR_SOCKET, ...
      return new NetworkError(code, messageOf(error), withCause);
  }
}
