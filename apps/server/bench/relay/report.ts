/** The Markdown report of a run: header (machine, command, date), then one table per measure. */
import type { RoundFigures } from './bench-context.ts';
import type { CapacityRow } from './phase-capacity.ts';
import type { LatencyCell } from './phase-latency.ts';
import type { MemoryRow } from './phase-memory.ts';
import type { StreamRow } from './phase-streams.ts';
import type { BenchPlan } from './plan.ts';
import { median } from './quantiles.ts';

export interface ReportInput {
  plan: BenchPlan;
  header: { machine: string; command: string; date: string; setup: string[] };
  latency?: LatencyCell[];
  capacity?: CapacityRow[];
  streams?: StreamRow[];
  memory?: MemoryRow[];
}

/** Issue targets for Lookout. */
const TARGET_ADDED_P50_MS = 1;
const TARGET_ADDED_P99_MS = 5;
const TARGET_CHUNKS_PER_SEC = 50_000;
const TARGET_BYTES_PER_STREAM = 64 * 1024;

function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  return value.toFixed(abs < 1 ? 3 : abs < 100 ? 2 : 0);
}

function signedMs(value: number): string {
  return Number.isFinite(value) && value >= 0 ? `+${ms(value)}` : ms(value);
}

function count(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function verdict(met: boolean): string {
  return met ? 'met' : '**not met**';
}

/** Median over rounds of (proxy - direct in the same round), with the spread of the rounds. */
function pairedAdded(
  proxy: readonly RoundFigures[],
  direct: readonly RoundFigures[],
  pick: (r: RoundFigures) => number,
): { median: number; text: string } {
  const diffs = proxy.map((r, i) => pick(r) - pick(direct[i] ?? r));
  const mid = median(diffs);
  if (diffs.length < 2) return { median: mid, text: signedMs(mid) };
  return {
    median: mid,
    text: `${signedMs(mid)} (${signedMs(Math.min(...diffs))}…${signedMs(Math.max(...diffs))})`,
  };
}

function errorsOf(rounds: readonly { errors: number }[]): number {
  return rounds.reduce((sum, r) => sum + r.errors, 0);
}

function firstErrors(label: string, rounds: readonly { firstError?: string }[]): string[] {
  const first = rounds.find((r) => r.firstError !== undefined)?.firstError;
  return first === undefined ? [] : [`- ${label}: ${first}`];
}

function latencySection(plan: BenchPlan, cells: LatencyCell[], problems: string[]): string[] {
  const { latency } = plan;
  const out = [
    '## Added latency (open loop)',
    '',
    `POST /api/generate \`stream:false\`, one token, answered at once by the simulator; ${count(latency.ratePerSec)} req/s on a fixed schedule spread round-robin over the connections; latency counted from each request's scheduled time (no coordinated omission), ${latency.measureMs / 1000} s measured per round after ${latency.warmupMs / 1000} s of warm-up. p50/p99: median over the rounds of each round's percentile. Added: median over the rounds of (proxy − direct in the same round), with the lowest…highest round in parentheses.`,
    '',
    '| connections | target | p50 ms | p99 ms | added p50 ms | added p99 ms | answered/s | errors |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  let lookoutAt200: { p50: number; p99: number } | undefined;
  for (const connections of latency.connectionCounts) {
    const direct = cells.find((c) => c.connections === connections && c.target === 'direct');
    for (const cell of cells.filter((c) => c.connections === connections)) {
      const p50 = median(cell.rounds.map((r) => r.p50));
      const p99 = median(cell.rounds.map((r) => r.p99));
      let added50 = '';
      let added99 = '';
      if (cell.target !== 'direct' && direct) {
        const a50 = pairedAdded(cell.rounds, direct.rounds, (r) => r.p50);
        const a99 = pairedAdded(cell.rounds, direct.rounds, (r) => r.p99);
        added50 = a50.text;
        added99 = a99.text;
        if (cell.target === 'lookout' && connections === 200) {
          lookoutAt200 = { p50: a50.median, p99: a99.median };
        }
      }
      const answered = median(cell.rounds.map((r) => r.answeredPerSec));
      out.push(
        `| ${connections} | ${cell.target} | ${ms(p50)} | ${ms(p99)} | ${added50} | ${added99} | ${count(answered)} | ${errorsOf(cell.rounds)} |`,
      );
      problems.push(...firstErrors(`latency ${connections} conns ${cell.target}`, cell.rounds));
    }
  }
  const lag = Math.max(...cells.flatMap((c) => c.rounds.map((r) => r.sendLagP99Ms)));
  out.push('');
  if (lookoutAt200) {
    out.push(
      `Issue targets, Lookout at 200 connections: added p50 ≤ ${TARGET_ADDED_P50_MS} ms: ${ms(lookoutAt200.p50)} ms, ${verdict(lookoutAt200.p50 <= TARGET_ADDED_P50_MS)}; added p99 ≤ ${TARGET_ADDED_P99_MS} ms: ${ms(lookoutAt200.p99)} ms, ${verdict(lookoutAt200.p99 <= TARGET_ADDED_P99_MS)}.`,
    );
  }
  out.push(
    `Load generator health: its own send lag (send time − scheduled time) was at most ${ms(lag)} ms at p99 in any round; "answered/s" below the rate means the target could not keep up and its queue grew.`,
  );
  return out;
}

/** Collections in the Node targets during the latency rounds (`--gc`): what sets their p99. */
function gcSection(cells: LatencyCell[]): string[] {
  const withGc = cells.filter((c) => c.rounds.some((r) => r.gc !== undefined));
  if (withGc.length === 0) return [];
  const out = [
    '### Garbage collection during the latency rounds',
    '',
    `From \`--trace-gc-nvp\` over each round (warm-up included). A scavenge stops the process for its pause; it copies what survived, so its pause follows the bytes per request still reachable when it runs. Medians over the rounds; the longest pause of any round.`,
    '',
    '| connections | target | scavenges per round | scavenge pause p50 ms | longest pause ms | allocated KiB per request | survived a scavenge KiB per request |',
    '|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const cell of withGc) {
    const figures = cell.rounds.flatMap((r) => (r.gc ? [r.gc] : []));
    const med = (pick: (g: (typeof figures)[number]) => number): number => median(figures.map(pick));
    out.push(
      `| ${cell.connections} | ${cell.target} | ${count(med((g) => g.scavenges))} | ${ms(med((g) => g.scavengePauseP50Ms))} | ${ms(Math.max(...figures.map((g) => g.scavengePauseMaxMs)))} | ${(med((g) => g.allocatedPerRequestBytes) / 1024).toFixed(1)} | ${(med((g) => g.survivedPerRequestBytes) / 1024).toFixed(2)} |`,
    );
  }
  return out;
}

function capacitySection(plan: BenchPlan, rows: CapacityRow[], problems: string[]): string[] {
  const out = [
    '## Capacity (closed loop): not an added latency',
    '',
    `The same small call, ${plan.capacity.connections} connections each sending again as soon as its answer ends, ${plan.capacity.measureMs / 1000} s measured per round. This saturates the 2 cores shared by the load generator, the simulator and the proxy: it gives the most requests per second, and its latencies mean nothing. CPU per request: user + system time of the serving process (the simulator itself for direct; the proxy process otherwise) over the job.`,
    '',
    '| target | req/s | vs direct | CPU µs per request, user + system | errors |',
    '|---|---:|---:|---:|---:|',
  ];
  const directRps = median(
    rows.find((r) => r.target === 'direct')?.rounds.map((r) => r.requestsPerSec) ?? [],
  );
  for (const row of rows) {
    const rps = median(row.rounds.map((r) => r.requestsPerSec));
    const user = median(row.rounds.map((r) => r.userUsPerRequest));
    const system = median(row.rounds.map((r) => r.systemUsPerRequest));
    const cpu = `${count(user + system)} = ${count(user)} + ${count(system)}`;
    const ratio = row.target === 'direct' ? '' : `${((rps / directRps) * 100).toFixed(0)} %`;
    out.push(`| ${row.target} | ${count(rps)} | ${ratio} | ${cpu} | ${errorsOf(row.rounds)} |`);
    problems.push(...firstErrors(`capacity ${row.target}`, row.rounds));
  }
  return out;
}

function streamsSection(plan: BenchPlan, rows: StreamRow[], problems: string[]): string[] {
  const { streams, ttft } = plan;
  const out = [
    '## Streams',
    '',
    `Chunks/s: ${streams.connections} concurrent streams of ${count(streams.tokensPerStream)} tokens each, produced as fast as the simulator can and started again when they end; NDJSON lines counted at the client over ${streams.measureMs / 1000} s per round. TTFT: ${ttft.streamsPerSec} new streams/s on a fixed schedule (${ttft.tokens} tokens, one every ${ttft.tokenIntervalMs} ms, the first ${ttft.tokenIntervalMs} ms after the request), from the scheduled start to the first body chunk. Added TTFT as for added latency.`,
    '',
    '| target | chunks/s | vs direct | CPU µs per chunk | TTFT p50 ms | TTFT p99 ms | added TTFT p50 ms | added TTFT p99 ms | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const direct = rows.find((r) => r.target === 'direct');
  const directChunks = median(direct?.throughput.map((r) => r.chunksPerSec) ?? []);
  let lookoutChunks: number | undefined;
  for (const row of rows) {
    const chunks = median(row.throughput.map((r) => r.chunksPerSec));
    if (row.target === 'lookout') lookoutChunks = chunks;
    const cpu = median(row.throughput.map((r) => r.cpuUsPerChunk));
    const isDirect = row.target === 'direct';
    const ratio = isDirect ? '' : `${((chunks / directChunks) * 100).toFixed(0)} %`;
    const a50 = isDirect || !direct ? '' : pairedAdded(row.ttft, direct.ttft, (r) => r.p50).text;
    const a99 = isDirect || !direct ? '' : pairedAdded(row.ttft, direct.ttft, (r) => r.p99).text;
    const p50 = median(row.ttft.map((r) => r.p50));
    const p99 = median(row.ttft.map((r) => r.p99));
    const errors = errorsOf(row.throughput) + errorsOf(row.ttft);
    out.push(
      `| ${row.target} | ${count(chunks)} | ${ratio} | ${cpu.toFixed(1)} | ${ms(p50)} | ${ms(p99)} | ${a50} | ${a99} | ${errors} |`,
    );
    problems.push(...firstErrors(`stream chunks ${row.target}`, row.throughput));
    problems.push(...firstErrors(`stream TTFT ${row.target}`, row.ttft));
  }
  if (lookoutChunks !== undefined) {
    out.push(
      '',
      `Issue target: ≥ ${count(TARGET_CHUNKS_PER_SEC)} chunks/s through Lookout: ${count(lookoutChunks)}, ${verdict(lookoutChunks >= TARGET_CHUNKS_PER_SEC)} (direct: ${count(directChunks)}; the simulator and the load generator share the same 2 cores).`,
    );
  }
  return out;
}

function memorySection(plan: BenchPlan, rows: MemoryRow[], problems: string[]): string[] {
  const { memory } = plan;
  const out = [
    '## Memory per open stream',
    '',
    `${count(memory.streams)} slow streams (one token every ${memory.tokenIntervalMs} ms) held open at once, each on its own connection, measured first on freshly started processes. RSS: VmRSS of the serving process (Lookout; nginx's worker), median of ${memory.samples} samples before and while open; per stream = growth / streams open.`,
    '',
    '| process | streams open | RSS before MiB | RSS open MiB | per stream KiB | RSS after release MiB | errors |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    out.push(
      `| ${row.target} | ${count(row.streamsOpen)} | ${mib(row.rssBeforeBytes)} | ${mib(row.rssOpenBytes)} | ${(row.bytesPerStream / 1024).toFixed(1)} | ${mib(row.rssAfterReleaseBytes)} | ${row.errors} |`,
    );
    if (row.firstError !== undefined) problems.push(`- memory ${row.target}: ${row.firstError}`);
  }
  const lookout = rows.find((r) => r.target === 'lookout');
  if (lookout) {
    out.push(
      '',
      `Issue target: ≤ 64 KiB per open stream in Lookout: ${(lookout.bytesPerStream / 1024).toFixed(1)} KiB, ${verdict(lookout.bytesPerStream <= TARGET_BYTES_PER_STREAM && lookout.streamsOpen >= memory.streams * 0.99)}.`,
    );
  }
  return out;
}

export function renderReport(input: ReportInput): string {
  const { plan, header } = input;
  const problems: string[] = [];
  const lines = [
    `# Relay benchmark${plan.quick ? ' (quick)' : ''}`,
    '',
    `- Machine: ${header.machine}`,
    `- Command: \`${header.command}\``,
    `- Date: ${header.date}`,
    ...header.setup.map((s) => `- ${s}`),
    '',
  ];
  if (input.memory) lines.push(...memorySection(plan, input.memory, problems), '');
  if (input.latency) {
    lines.push(...latencySection(plan, input.latency, problems), '');
    const gc = gcSection(input.latency);
    if (gc.length > 0) lines.push(...gc, '');
  }
  if (input.capacity) lines.push(...capacitySection(plan, input.capacity, problems), '');
  if (input.streams) lines.push(...streamsSection(plan, input.streams, problems), '');
  if (problems.length > 0) lines.push('## First error of each row that had errors', '', ...problems, '');
  return lines.join('\n');
}
