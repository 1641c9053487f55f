/**
 * The event side of one call: stamps events with the call's info and a monotonic time, keeps a
 * faulty sink from breaking the call, and guarantees exactly one terminal event (done or failed),
 * after which cleanups run and nothing more is emitted.
 */
import type { LookoutError } from './errors.ts';
import type {
  CallEvent,
  CallEventSink,
  CallInfo,
  DoneEvent,
  FailedEvent,
  OllamaFinalMetrics,
} from './events.ts';

/** Receives an exception a sink threw, with the event it was given. */
export type SinkErrorHandler = (error: unknown, event: CallEvent) => void;

const defaultSinkError: SinkErrorHandler = (error) => {
  process.emitWarning(`a call event sink threw: ${error instanceof Error ? error.message : String(error)}`, {
    code: 'LOOKOUT_SINK_ERROR',
  });
};

/** Fields of a failure beyond the error itself. */
export interface FailureFacts {
  target: string | undefined;
  attempts: number;
  afterFirstByte: boolean;
}

export class CallEvents {
  readonly info: CallInfo;
  readonly #sink: CallEventSink | undefined;
  readonly #onSinkError: SinkErrorHandler;
  readonly #cleanups: (() => void)[] = [];
  #terminal: DoneEvent | FailedEvent | undefined;
  #failure: LookoutError | undefined;
  #resolveSettled!: (event: DoneEvent | FailedEvent) => void;
  /** Settles with the terminal event; never rejects. */
  readonly settled: Promise<DoneEvent | FailedEvent>;

  constructor(info: CallInfo, sink: CallEventSink | undefined, onSinkError: SinkErrorHandler | undefined) {
    this.info = info;
    this.#sink = sink;
    this.#onSinkError = onSinkError ?? defaultSinkError;
    this.settled = new Promise((resolve) => {
      this.#resolveSettled = resolve;
    });
  }

  get terminal(): DoneEvent | FailedEvent | undefined {
    return this.#terminal;
  }

  get failure(): LookoutError | undefined {
    return this.#failure;
  }

  /** Runs `fn` when the call ends (in registration order), or now if it already has. */
  onEnd(fn: () => void): void {
    if (this.#terminal !== undefined) fn();
    else this.#cleanups.push(fn);
  }

  // Each event is built as a literal of its own shape: one spread over the five progress shapes made
  // the copy megamorphic (~3 % of the relay's CPU). All of them are ignored once the call has ended.

  /** The call waits in `target`'s gate, `queueDepth` deep. */
  queued(target: string, queueDepth: number): void {
    if (this.#terminal !== undefined) return;
    this.#send({ type: 'queued', call: this.info, atMs: performance.now(), target, queueDepth });
  }

  /** Attempt `attempt` left the gate and goes to `target`. */
  dispatched(target: string, attempt: number): void {
    if (this.#terminal !== undefined) return;
    this.#send({ type: 'dispatched', call: this.info, atMs: performance.now(), target, attempt });
  }

  /** Response headers with `status` arrived from `target`. */
  headers(target: string, attempt: number, status: number): void {
    if (this.#terminal !== undefined) return;
    this.#send({ type: 'headers', call: this.info, atMs: performance.now(), target, attempt, status });
  }

  /** The first chunk carrying generated content. */
  firstToken(target: string): void {
    if (this.#terminal !== undefined) return;
    this.#send({ type: 'first_token', call: this.info, atMs: performance.now(), target });
  }

  /** Attempt `attempt` failed with `failure`; the next one follows after `delayMs`. */
  retry(target: string, attempt: number, delayMs: number, failure: LookoutError): void {
    if (this.#terminal !== undefined) return;
    this.#send({
      type: 'retry',
      call: this.info,
      atMs: performance.now(),
      target,
      attempt,
      delayMs,
      code: failure.code,
      outcome: failure.outcome,
    });
  }

  /** A body chunk went to the caller (the hot path: nothing is built without a sink). */
  emitChunk(target: string, bytes: number, tokens: number): void {
    if (this.#terminal !== undefined || this.#sink === undefined) return;
    this.#send({ type: 'chunk', call: this.info, atMs: performance.now(), target, bytes, tokens });
  }

  /** Ends the call with success. Returns false if it had already ended. */
  done(target: string, status: number, attempts: number, metrics: OllamaFinalMetrics): boolean {
    return this.#end({
      type: 'done',
      call: this.info,
      atMs: performance.now(),
      target,
      status,
      attempts,
      metrics,
    });
  }

  /** Ends the call with a failure. Returns false if it had already ended. */
  fail(error: LookoutError, facts: FailureFacts): boolean {
    if (this.#terminal !== undefined) return false;
    this.#failure = error;
    const status = (error as { status?: unknown }).status;
    return this.#end({
      type: 'failed',
      call: this.info,
      atMs: performance.now(),
      target: facts.target,
      outcome: error.outcome,
      code: error.code,
      message: error.message,
      status: typeof status === 'number' ? status : undefined,
      attempts: facts.attempts,
      afterFirstByte: facts.afterFirstByte,
    });
  }

  #end(event: DoneEvent | FailedEvent): boolean {
    if (this.#terminal !== undefined) return false;
    this.#terminal = event;
    for (const fn of this.#cleanups.splice(0)) fn();
    this.#send(event);
    this.#resolveSettled(event);
    return true;
  }

  #send(event: CallEvent): void {
    if (this.#sink === undefined) return;
    try {
      this.#sink.onEvent(event);
    } catch (error) {
      this.#onSinkError(error, event);
    }
  }
}
