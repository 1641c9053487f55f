/**
 * One soak call as an application makes it: plain node:http through the relay, reading every byte,
 * aborting where its plan says, and keeping only what classifying it needs (the frames' ends, not the
 * text), so a long soak holds no per-call memory.
 */
import { type Agent, type IncomingMessage, request } from 'node:http';
import type { CallPlan, Framing } from './plan.ts';
import { CallTap } from './tap.ts';

/** How the call ended on the client's side. */
export type ClientEnd =
  /** The response ended as HTTP says it ends (`end` event). */
  | 'complete'
  /** The client aborted on purpose. */
  | 'aborted'
  /** No response: the request failed (connection refused or reset before any header). */
  | 'request_error'
  /** The response started, then the connection closed before its end. */
  | 'response_error'
  /** No byte for `stuckAfterMs`: the client gave up on a response that neither ended nor failed. */
  | 'stuck';

export interface ClientView {
  end: ClientEnd;
  /** For `aborted`: before any header, or after some frames. */
  abortPhase: 'before_headers' | 'mid_stream' | undefined;
  status: number | undefined;
  /** `X-Lookout-Queue-Ms` came: the status and body are the upstream's, passed through. */
  passedThrough: boolean;
  contentLengthBytes: number | undefined;
  bodyBytes: number;
  /** Complete frames: NDJSON lines or SSE events (0 for one-piece bodies). */
  frames: number;
  /** The last complete frame (streams), or the body (one-piece bodies and errors, first 64 KiB). */
  last: string;
  /** Bytes after the last frame delimiter (a frame cut short), streams only. */
  trailing: string;
  /** The socket error, if the request or the response failed. */
  error: string | undefined;
  durationMs: number;
}

export interface CallContext {
  relayUrl: string;
  agent: Agent;
  tap: CallTap;
  /** A response with no byte for this long is abandoned as `stuck`. */
  stuckAfterMs: number;
}

const KEEP_BODY_CHARS = 64 * 1024;
/** How long a `before_headers` abort waits for Lookout to report the call before giving up on aborting. */
const SEEN_WAIT_MS = 10_000;

/** Frame splitter for streams: counts complete frames, keeps the last one and the partial tail. */
class FrameReader {
  frames = 0;
  last = '';
  trailing = '';
  readonly #delimiter: string;

  constructor(framing: Framing) {
    this.#delimiter = framing === 'sse' ? '\n\n' : '\n';
  }

  push(text: string): number {
    let buffer = this.trailing + text;
    let added = 0;
    for (let at = buffer.indexOf(this.#delimiter); at >= 0; at = buffer.indexOf(this.#delimiter)) {
      const frame = buffer.slice(0, at);
      buffer = buffer.slice(at + this.#delimiter.length);
      if (frame.trim() === '') continue;
      this.last = frame;
      this.frames++;
      added++;
    }
    this.trailing = buffer;
    return added;
  }
}

/** Makes the call of `plan` and reports what the client saw. Never rejects. */
export function runClientCall(plan: CallPlan, ctx: CallContext): Promise<ClientView> {
  const startedAtMs = performance.now();
  const streams = plan.framing !== 'single';
  return new Promise((resolve) => {
    const view: ClientView = {
      end: 'complete',
      abortPhase: undefined,
      status: undefined,
      passedThrough: false,
      contentLengthBytes: undefined,
      bodyBytes: 0,
      frames: 0,
      last: '',
      trailing: '',
      error: undefined,
      durationMs: 0,
    };
    let settled = false;
    let response: IncomingMessage | undefined;
    let frames: FrameReader | undefined;
    let watchdog: NodeJS.Timeout | undefined;
    let abortTimer: NodeJS.Timeout | undefined;

    const finish = (end: ClientEnd, error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      clearTimeout(abortTimer);
      view.end = end;
      if (error !== undefined) view.error = error;
      if (frames) {
        view.frames = frames.frames;
        view.last = frames.last;
        view.trailing = frames.trailing;
      }
      view.durationMs = performance.now() - startedAtMs;
      resolve(view);
    };
    const abort = (phase: 'before_headers' | 'mid_stream'): void => {
      if (settled) return;
      view.abortPhase = phase;
      finish('aborted');
      req.destroy();
    };
    const armWatchdog = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        finish('stuck');
        req.destroy();
      }, ctx.stuckAfterMs);
    };

    const req = request(
      `${ctx.relayUrl}${CallTap.tagged(plan.path, plan.tag)}`,
      {
        method: 'POST',
        agent: ctx.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(plan.body),
          ...plan.headers,
        },
      },
      (res) => {
        response = res;
        view.status = res.statusCode;
        view.passedThrough = res.headers['x-lookout-queue-ms'] !== undefined;
        const length = res.headers['content-length'];
        if (length !== undefined) view.contentLengthBytes = Number(length);
        // A stream only when it succeeded: error statuses come as one JSON body.
        if (streams && (res.statusCode ?? 0) < 300) frames = new FrameReader(plan.framing);
        res.setEncoding('utf8');
        armWatchdog();
        res.on('data', (text: string) => {
          if (settled) return;
          armWatchdog();
          view.bodyBytes += Buffer.byteLength(text);
          if (!frames) {
            if (view.last.length < KEEP_BODY_CHARS)
              view.last += text.slice(0, KEEP_BODY_CHARS - view.last.length);
            return;
          }
          frames.push(text);
          const { abort: plannedAbort } = plan;
          if (
            plannedAbort.kind === 'mid_stream' &&
            frames.frames >= plannedAbort.afterFrames &&
            ctx.tap.verdict(plan.tag) === undefined
          ) {
            abort('mid_stream');
          }
        });
        res.on('end', () => finish('complete'));
        res.on('error', (error) => finish('response_error', error.message));
        res.on('close', () => finish('response_error', 'connection closed before the end of the response'));
      },
    );
    req.on('error', (error) => finish(response ? 'response_error' : 'request_error', error.message));
    armWatchdog();
    req.end(plan.body);

    const { abort: plannedAbort } = plan;
    if (plannedAbort.kind === 'before_headers') {
      void ctx.tap.whenSeen(plan.tag, SEEN_WAIT_MS).then((seen) => {
        if (!seen || settled || response) return;
        abortTimer = setTimeout(() => {
          // Only while Lookout has not decided the call: otherwise its answer is on the way.
          if (!response && ctx.tap.verdict(plan.tag) === undefined) abort('before_headers');
        }, plannedAbort.delayMs);
      });
    }
  });
}
