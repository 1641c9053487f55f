/**
 * One-call overhead: the same request to the same simulator, through a bare undici request (A) and
 * through executeCall with a gate, the observers and an event sink (B), in interleaved rounds
 * A B A B ... so drift on a shared machine hits both sides alike. Figures are medians.
 */
import { randomUUID } from 'node:crypto';
import { startSimulator } from '@lookout/ollama-sim';
import { Pool } from 'undici';
import { createCallInfo } from '../src/classify.ts';
import type { CallEvent } from '../src/events.ts';
import { executeCall } from '../src/execute-call.ts';
import { TargetGate } from '../src/gate.ts';
import { UpstreamPool } from '../src/pool.ts';
import { median, nowNs, quantile } from './stats.ts';

export interface OverheadResult {
  name: string;
  bareUs: number;
  coreUs: number;
  overheadUs: number;
  bareP90Us: number;
  coreP90Us: number;
  calls: number;
}

interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body: Uint8Array | undefined;
  headers: Record<string, string>;
}

const encoder = new TextEncoder();

export async function benchCallOverhead(rounds = 16, callsPerRound = 150): Promise<OverheadResult[]> {
  const sim = await startSimulator({ tokensPerSec: 0, promptTokensPerSec: 0, deterministicTimestamps: true });
  const origin = sim.url;
  const bare = new Pool(origin);
  const pool = new UpstreamPool();
  const gate = new TargetGate({ name: 'sim', maxConcurrent: 4 });
  let events = 0;
  const sink = {
    onEvent: (_e: CallEvent): void => {
      events++;
    },
  };
  const scenarios: Scenario[] = [
    { name: 'GET /api/version', method: 'GET', path: '/api/version', body: undefined, headers: {} },
    {
      name: 'POST /api/chat, streamed, 32 tokens',
      method: 'POST',
      path: '/api/chat',
      body: encoder.encode(
        JSON.stringify({ model: 'llama3.2:1b', messages: [{ role: 'user', content: 'hi' }] }),
      ),
      headers: { 'content-type': 'application/json', 'x-sim-tokens': '32' },
    },
  ];

  async function viaUndici(s: Scenario): Promise<number> {
    const t0 = nowNs();
    const res = await bare.request({
      method: s.method,
      path: s.path,
      headers: s.headers,
      body: s.body ?? null,
    });
    let bytes = 0;
    for await (const chunk of res.body) bytes += (chunk as Buffer).length;
    if (bytes === 0) throw new Error('empty body');
    return (nowNs() - t0) / 1000;
  }

  async function viaCore(s: Scenario): Promise<number> {
    const t0 = nowNs();
    const info = createCallInfo({
      method: s.method,
      path: s.path,
      body: s.body,
      source: 'app',
      callId: randomUUID(),
    });
    const res = await executeCall({
      info,
      request: { headers: s.headers, body: s.body },
      pickTarget: () => ({ name: 'sim', url: origin, gate }),
      pool,
      sink,
    });
    let bytes = 0;
    for await (const chunk of res.body) bytes += chunk.length;
    if (bytes === 0 || res.failure !== undefined) throw new Error(`call failed: ${res.failure?.message}`);
    return (nowNs() - t0) / 1000;
  }

  const results: OverheadResult[] = [];
  try {
    for (const s of scenarios) {
      // Warm both paths (JIT, keep-alive sockets, model load).
      for (let i = 0; i < 200; i++) {
        await viaUndici(s);
        await viaCore(s);
      }
      const a: number[] = [];
      const b: number[] = [];
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < callsPerRound; i++) a.push(await viaUndici(s));
        for (let i = 0; i < callsPerRound; i++) b.push(await viaCore(s));
      }
      const bareUs = median(a);
      const coreUs = median(b);
      results.push({
        name: s.name,
        bareUs,
        coreUs,
        overheadUs: coreUs - bareUs,
        bareP90Us: quantile(a, 0.9),
        coreP90Us: quantile(b, 0.9),
        calls: a.length,
      });
    }
  } finally {
    await bare.close();
    await pool.close();
    await sim.close();
  }
  if (events === 0) throw new Error('no events seen');
  return results;
}
