/**
 * Observation cost per chunk: what the core adds to each chunk it hands over (frame scan, token
 * count, events to a sink), on chunks shaped like Ollama's (one frame per chunk, as Ollama flushes)
 * and on frames split across chunks.
 */
import { CallEvents } from '../src/call-events.ts';
import { createCallInfo } from '../src/classify.ts';
import type { CallEvent } from '../src/events.ts';
import { createBodyObserver } from '../src/observe/index.ts';
import { median, nowNs } from './stats.ts';

export interface ObserveResult {
  name: string;
  nsPerChunk: number;
  bytesPerChunk: number;
}

function ndjsonFrames(n: number): Buffer[] {
  const frames: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    frames.push(
      Buffer.from(
        `${JSON.stringify({ model: 'llama3.2:1b', created_at: '2025-01-01T00:00:00.123456789Z', message: { role: 'assistant', content: ` tok${i}` }, done: false })}\n`,
      ),
    );
  }
  frames.push(
    Buffer.from(
      '{"model":"llama3.2:1b","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":1,"eval_count":1000,"eval_duration":1}\n',
    ),
  );
  return frames;
}

function sseFrames(n: number): Buffer[] {
  const frames: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    frames.push(
      Buffer.from(
        `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'llama3.2:1b', system_fingerprint: 'fp_ollama', choices: [{ index: 0, delta: { role: 'assistant', content: ` tok${i}` }, finish_reason: null }] })}\n\n`,
      ),
    );
  }
  frames.push(Buffer.from('data: [DONE]\n\n'));
  return frames;
}

/** Re-cuts frames into chunks of a fixed size so frames straddle chunk boundaries. */
function recut(frames: Buffer[], size: number): Buffer[] {
  const all = Buffer.concat(frames);
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.subarray(i, i + size));
  return out;
}

function measure(
  name: string,
  chunks: Buffer[],
  framing: 'ndjson' | 'sse',
  withEvents: boolean,
  rounds: number,
): ObserveResult {
  const endpoint = framing === 'ndjson' ? 'chat' : 'openai_chat';
  let sink = 0;
  const eventSink = {
    onEvent: (e: CallEvent): void => {
      if (e.atMs > 0) sink++;
    },
  };
  const info = createCallInfo({ method: 'POST', path: '/api/chat', source: 'app', callId: 'bench' });
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const observer = createBodyObserver(framing, endpoint, 200);
    const events = withEvents ? new CallEvents(info, eventSink, undefined) : undefined;
    const t0 = nowNs();
    for (const chunk of chunks) {
      const tokens = observer.observe(chunk);
      events?.emitChunk('t', chunk.length, tokens);
    }
    observer.finish();
    perRound.push((nowNs() - t0) / chunks.length);
  }
  if (sink < 0) console.log(sink); // keeps the sink's work observable
  const bytes = chunks.reduce((n, c) => n + c.length, 0) / chunks.length;
  return {
    name,
    nsPerChunk: median(perRound.slice(Math.floor(rounds / 4))),
    bytesPerChunk: Math.round(bytes),
  };
}

export function benchObserve(): ObserveResult[] {
  const nd = ndjsonFrames(20_000);
  const sse = sseFrames(20_000);
  const rounds = 24;
  // Warm every path once so the first case does not pay for the JIT of all.
  measure('warm-up', nd, 'ndjson', true, 4);
  measure('warm-up', recut(nd, 64), 'ndjson', false, 4);
  measure('warm-up', sse, 'sse', true, 4);
  return [
    measure('NDJSON, one frame per chunk (scan only)', nd, 'ndjson', false, rounds),
    measure('NDJSON, one frame per chunk (+ chunk event)', nd, 'ndjson', true, rounds),
    measure('NDJSON, 64-byte chunks (frames split)', recut(nd, 64), 'ndjson', false, rounds),
    measure('NDJSON, 16 KiB chunks (many frames each)', recut(nd, 16 * 1024), 'ndjson', false, rounds),
    measure('SSE, one event per chunk (scan only)', sse, 'sse', false, rounds),
    measure('SSE, one event per chunk (+ chunk event)', sse, 'sse', true, rounds),
  ];
}
