import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Fleet, startFleet, waitFor } from '../../testing/harness.ts';
import { CallLog } from './call-log.ts';
import { startStallMeter } from './loop-stall.ts';
import { MODEL } from './matrix.ts';
import { expectNothingOpen } from './open-state.ts';

let fleet: Fleet | undefined;
let client: Socket | undefined;
afterEach(async () => {
  client?.destroy();
  await fleet?.close();
  fleet = undefined;
  client = undefined;
});

const TOKENS = 150_000;

/** A raw HTTP/1.1 request for a long, fast stream; the socket is left paused (it reads nothing by itself). */
function requestLongStream(relay: string): Socket {
  const { hostname, port } = new URL(relay);
  const body = JSON.stringify({ model: MODEL, prompt: 'a long answer please', stream: true });
  const socket = connect({ host: hostname, port: Number(port) });
  socket.pause();
  socket.write(
    [
      'POST /api/generate HTTP/1.1',
      `Host: ${hostname}:${port}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `x-sim-tokens: ${TOKENS}`,
      'x-sim-token-interval-ms: 0',
      '',
      body,
    ].join('\r\n'),
  );
  return socket;
}

/**
 * The signal: the bytes Lookout took from the simulator for this call (the sum of its chunk events:
 * every chunk the relay pulls from upstream is reported before it is written to the client). While the
 * client reads nothing, that sum must stop growing: the relay waits for 'drain', the core pauses the
 * upstream socket past 64 KiB, and TCP stops the simulator, whose unsent bytes pile up on its side
 * (`connections.queuedBytes`). What the sum may hold beyond the bytes the client read is bounded by
 * the kernel's socket buffers (the relay's send buffer, at most tcp_wmem's 4 MiB here, and the
 * client's receive window) plus the core's 64 KiB, far below the ~13 MB the stream would produce.
 */
describe('a client that reads one byte a second', () => {
  it('does not make Lookout buffer without bound: backpressure reaches the simulator', async () => {
    fleet = await startFleet([{}], {
      idleTimeoutMs: 30_000,
      totalTimeoutMs: 60_000,
      probeIntervalMs: 3_600_000,
      generationProbeIntervalMs: 0,
    });
    const f = fleet;
    const log = new CallLog(f.lookout.metrics);
    client = requestLongStream(f.relay);
    const c = client;
    await waitFor(() => log.size === 1, 2_000, 'the call to start');
    const callId = log.ids()[0]!;
    const intakeBytes = () => log.get(callId)?.chunkBytes ?? 0;
    const simQueuedBytes = () => f.sims[0]!.stats().connections.queuedBytes;

    // Backpressure reached the simulator: it holds bytes the kernel will not take.
    await waitFor(() => simQueuedBytes() > 1_000_000, 10_000, 'the simulator to hold unsent bytes');
    const before = intakeBytes();
    let readBytes = 0;
    for (let second = 0; second < 3; second++) {
      await new Promise((r) => setTimeout(r, 1_000));
      if (c.read(1) !== null) readBytes++;
    }
    const after = intakeBytes();
    const streamBytes = TOKENS * 80; // each NDJSON line is ~85 bytes
    expect(readBytes).toBeLessThanOrEqual(3);
    expect(after - before).toBeLessThanOrEqual(64 * 1024);
    expect(after).toBeLessThan(8 * 1024 * 1024);
    expect(after).toBeLessThan(streamBytes / 2);
    expect(simQueuedBytes()).toBeGreaterThan(1_000_000);

    // The client gives up: one client_abort, and the upstream connection closed at once (the simulator
    // drops the bytes it held). The simulator had written its whole answer into its socket by then (it
    // does not wait for 'drain'), so it counts the reply as sent rather than as a cancellation.
    const stalls = startStallMeter();
    const leftAtMs = performance.now();
    c.destroy();
    try {
      await waitFor(() => simQueuedBytes() === 0, 2_000, 'the upstream connection to close');
    } finally {
      stalls.stop();
    }
    // 300 ms, plus the time a busy machine held this process's event loop up.
    expect(performance.now() - leftAtMs).toBeLessThan(300 + stalls.stop());
    await waitFor(() => log.terminals(callId).length === 1, 2_000, 'the call to end');
    expect(log.outcome(callId)).toBe('client_abort');
    await expectNothingOpen(f);
    expect(log.terminals(callId)).toHaveLength(1);
  }, 30_000);
});
