/** Gate throughput: acquire + release pairs per second, uncontended and with a full queue. */
import { type GateLease, TargetGate } from '../src/gate.ts';
import { median, nowNs } from './stats.ts';

export interface GateResult {
  name: string;
  opsPerSec: number;
}

async function uncontended(n: number): Promise<number> {
  const gate = new TargetGate({ name: 'bench', maxConcurrent: 4, maxQueue: 64 });
  const t0 = nowNs();
  for (let i = 0; i < n; i++) (await gate.acquire()).release();
  return n / ((nowNs() - t0) / 1e9);
}

/** 4 slots, 64 waiters: each release hands the slot to the head of the queue. */
async function contended(n: number): Promise<number> {
  const gate = new TargetGate({ name: 'bench', maxConcurrent: 4, maxQueue: 64 });
  let done = 0;
  const t0 = nowNs();
  const worker = async (): Promise<void> => {
    while (done < n) {
      const lease: GateLease = await gate.acquire();
      done++;
      lease.release();
    }
  };
  await Promise.all(Array.from({ length: 68 }, worker));
  return done / ((nowNs() - t0) / 1e9);
}

export async function benchGate(): Promise<GateResult[]> {
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < 15; r++) {
    a.push(await uncontended(200_000));
    b.push(await contended(200_000));
  }
  return [
    { name: 'uncontended (slot free)', opsPerSec: median(a.slice(3)) },
    { name: 'contended (4 slots, 64 waiting)', opsPerSec: median(b.slice(3)) },
  ];
}
