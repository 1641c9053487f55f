/**
 * client-core benchmarks: observation cost per chunk, gate throughput, one-call overhead against a
 * bare undici request to the same simulator. Run with `pnpm --filter @lookout/client-core bench`
 * (the adaptive concurrency bench is its own: `pnpm bench -- adaptive`).
 * Prints a Markdown report (paste it into the package README).
 */
import { availableParallelism, cpus } from 'node:os';
import { benchCallOverhead } from './call-overhead.ts';
import { benchGate } from './gate.ts';
import { benchObserve } from './observe.ts';

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const lines: string[] = [];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  lines.push(
    `Machine: ${availableParallelism()} CPUs (nproc), ${cpu}, Node ${process.version}, ${process.platform}/${process.arch}`,
  );
  lines.push(`Date: ${new Date().toISOString()}; command: \`pnpm --filter @lookout/client-core bench\``);
  lines.push('');

  lines.push('Observation cost per chunk (median of rounds over 20,000 frames):');
  lines.push('');
  lines.push('| stream | bytes/chunk | ns/chunk |');
  lines.push('|---|---:|---:|');
  for (const r of benchObserve()) lines.push(`| ${r.name} | ${r.bytesPerChunk} | ${fmt(r.nsPerChunk)} |`);
  lines.push('');

  lines.push('Gate acquire + release (median of rounds of 200,000):');
  lines.push('');
  lines.push('| case | pairs/s |');
  lines.push('|---|---:|');
  for (const r of await benchGate()) lines.push(`| ${r.name} | ${fmt(r.opsPerSec)} |`);
  lines.push('');

  lines.push(
    'One call, bare undici `Pool.request` vs `executeCall`, same simulator, interleaved rounds (µs):',
  );
  lines.push('');
  lines.push('| request | calls per side | undici p50 | core p50 | overhead p50 | undici p90 | core p90 |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of await benchCallOverhead()) {
    lines.push(
      `| ${r.name} | ${r.calls} | ${fmt(r.bareUs)} | ${fmt(r.coreUs)} | ${fmt(r.overheadUs)} | ${fmt(r.bareP90Us)} | ${fmt(r.coreP90Us)} |`,
    );
  }
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
