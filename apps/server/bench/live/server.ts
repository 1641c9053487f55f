/**
 * The server side of the live benchmark, run as its own process: a metrics engine fed synthetic calls
 * for 20 targets x 10 models (about 200 calls/s, so every tick has changes to send), and the real
 * LiveHub behind the real `/ws` upgrade. Prints `ready <port>` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SessionSigner } from '../../src/admin/session.ts';
import { LiveHub } from '../../src/live/hub.ts';
import { attachLiveUpgrade } from '../../src/live/upgrade.ts';
import { createLogger } from '../../src/log.ts';
import { scriptCall, seeded } from '../../src/metrics/call-script.ts';
import { MetricsEngine, type TargetGauges } from '../../src/metrics/index.ts';

export const BENCH_TOKEN = 'live-bench-token-0123456789';
const TARGETS = 20;
const MODELS = 10;
const CALLS_PER_SEC = 200;

const gauges: TargetGauges[] = Array.from({ length: TARGETS }, (_, t) => ({
  name: `gpu-${t + 1}`,
  url: `http://10.0.0.${t + 1}:11434`,
  queueDepth: 0,
  inFlight: 0,
  maxConcurrent: 4,
}));
const engine = new MetricsEngine({ gauges: { targets: () => gauges } });
const random = seeded(42);
let callId = 0;

// Calls end continuously: every 50 ms, a tenth of a second's worth.
const feeder = setInterval(() => {
  const now = performance.now();
  for (let i = 0; i < CALLS_PER_SEC / 20; i++) {
    const total = 200 + random() * 3000;
    for (const event of scriptCall({
      callId: `c${callId++}`,
      startedAtMs: now - total,
      target: `gpu-${1 + Math.floor(random() * TARGETS)}`,
      model: `model-${Math.floor(random() * MODELS)}:7b`,
      queueWaitMs: random() * 50,
      ttftMs: 50 + random() * 150,
      totalMs: total,
      chunks: 0,
      evalCount: 100,
      evalDurationNs: total * 0.8e6,
    })) {
      engine.onEvent(event);
    }
  }
  for (const g of gauges) {
    (g as { queueDepth: number }).queueDepth = Math.floor(random() * 5);
    (g as { inFlight: number }).inFlight = Math.floor(random() * 5);
  }
}, 50);

const log = createLogger('silent');
const hub = new LiveHub({ buildSnapshot: () => engine.buildSnapshot(), log });
const server = createServer((_req, res) => {
  res.writeHead(404).end();
});
attachLiveUpgrade(server, { adminToken: BENCH_TOKEN, sessions: new SessionSigner(BENCH_TOKEN), hub });
hub.start();
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`);
});

process.on('SIGTERM', () => {
  clearInterval(feeder);
  hub.stop();
  server.close();
  process.stdout.write(`${JSON.stringify({ counters: hub.counters })}\n`);
  process.exit(0);
});
