/**
 * Relay benchmark: what Lookout costs a caller, compared in one run with the simulator reached directly
 * and with nginx, all on loopback, the load generator in its own process. Rules: /work/shared/BENCHMARKS.md,
 * method and reading: bench/relay/README.md.
 * Run: `node --import tsx bench/relay/index.ts [--quick]` in apps/server, or `pnpm bench -- relay [--quick]`.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BenchContext } from './bench-context.ts';
import { ChildProcesses } from './child-processes.ts';
import { GcTrace } from './gc-trace.ts';
import { LoadProcess } from './load-client.ts';
import { runCapacityPhase } from './phase-capacity.ts';
import { runLatencyPhase, warmUp } from './phase-latency.ts';
import { runMemoryPhase } from './phase-memory.ts';
import { runStreamsPhase } from './phase-streams.ts';
import { type BenchPlan, parsePlan, USAGE } from './plan.ts';
import { renderTopSelfTime } from './profile-top.ts';
import { type ReportInput, renderReport } from './report.ts';
import {
  type BenchTarget,
  buildLookout,
  findNginx,
  lookoutCommand,
  nginxVersion,
  startLookoutProcess,
  startNginxProcess,
  startNodeProxyProcess,
  startSimulatorProcess,
} from './targets.ts';

/** Simulator slots: every stream of the memory measure at once, with room to spare. */
const SIMULATOR_SLOTS = 4096;
/** Lookout's per-target limit (its maximum): above the 1,000 held streams and the 200 connections. */
const LOOKOUT_MAX_CONCURRENT = 1024;
/** nginx connections: a client and an upstream socket per held stream, with room to spare. */
const NGINX_WORKER_CONNECTIONS = 4096;

function progress(line: string): void {
  process.stderr.write(`[relay bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function commandLine(): string {
  const fromRunner = process.env.LOOKOUT_BENCH_COMMAND;
  if (fromRunner) return fromRunner;
  return `${['node --import tsx bench/relay/index.ts', ...process.argv.slice(2)].join(' ')} (in apps/server)`;
}

async function run(plan: BenchPlan, children: ChildProcesses, workDir: string): Promise<void> {
  const startedAtMs = performance.now();
  const nginxBinary = findNginx();
  const machine = [
    `${availableParallelism()} CPUs (nproc)`,
    cpus()[0]?.model ?? 'unknown CPU',
    `Node ${process.version}`,
    nginxBinary ? nginxVersion(nginxBinary) : 'nginx not installed (its rows are left out)',
    `${process.platform}/${process.arch}`,
    `load average ${loadavg()[0]?.toFixed(2)} at start (shared machine)`,
  ].join(', ');

  progress('building Lookout (pnpm run build: esbuild to dist/)');
  const built = buildLookout();
  progress(built);
  progress('starting the simulator, Lookout and nginx');
  const sim = await startSimulatorProcess(children, SIMULATOR_SLOTS);
  const lookout = await startLookoutProcess(children, {
    upstreamOrigin: sim.origin,
    dataDir: join(workDir, 'lookout-data'),
    maxConcurrent: LOOKOUT_MAX_CONCURRENT,
    cpuProfileDir: plan.cpuProfileDir,
    gc: plan.gc ? new GcTrace() : undefined,
  });
  const nginx = nginxBinary
    ? await startNginxProcess(
        children,
        nginxBinary,
        join(workDir, 'nginx'),
        sim.origin,
        NGINX_WORKER_CONNECTIONS,
      )
    : undefined;
  const compare = plan.compareServerDir
    ? await startLookoutProcess(children, {
        upstreamOrigin: sim.origin,
        dataDir: join(workDir, 'lookout-compare-data'),
        maxConcurrent: LOOKOUT_MAX_CONCURRENT,
        cpuProfileDir: undefined,
        gc: plan.gc ? new GcTrace() : undefined,
        compareServerDir: plan.compareServerDir,
      })
    : undefined;
  const nodeProxy = plan.nodeBaseline
    ? await startNodeProxyProcess(children, sim.origin, workDir, plan.gc ? new GcTrace() : undefined)
    : undefined;
  const load = await LoadProcess.start(children);
  const targets = [sim, nginx, nodeProxy, compare, lookout].filter((t): t is BenchTarget => t !== undefined);
  const ctx: BenchContext = { plan, targets, load, children, progress };

  const input: ReportInput = {
    plan,
    header: {
      machine,
      command: commandLine(),
      date: new Date().toISOString(),
      setup: [
        `Simulator: @lookout/ollama-sim, ${SIMULATOR_SLOTS} slots, timing set per request by x-sim-* headers.`,
        `nginx: worker_processes 1 (Lookout is one Node process), proxy_buffering off, upstream keepalive, HTTP/1.1 upstream.`,
        `Lookout: \`node dist/main.js\` as \`pnpm start\` runs it, built from the current source by \`pnpm run build\` (esbuild bundle), LOOKOUT_MAX_CONCURRENT=${LOOKOUT_MAX_CONCURRENT}, LOOKOUT_MAX_QUEUE=10000, LOOKOUT_LOG_LEVEL=warn${plan.cpuProfileDir ? ', with --cpu-prof (slower)' : ''}${plan.gc ? ', with --trace-gc-nvp' : ''}.`,
        ...(compare && plan.compareServerDir
          ? [
              `lookout-compare: the Lookout of ${plan.compareServerDir}, run as \`${lookoutCommand(plan.compareServerDir).description}\` with the same settings.`,
            ]
          : []),
        ...(nodeProxy
          ? [
              `node-proxy: a bare Node relay (node:http server, undici pool, bytes piped; no gate, budgets or metrics), built to one plain JS file by esbuild like Lookout: the floor of any Node relay here${plan.gc ? ' (with --trace-gc-nvp)' : ''}.`,
            ]
          : []),
        `Load generator: its own Node process, undici, one keep-alive Client per connection. ${plan.rounds} rounds per measure, targets interleaved ${targets.map((t) => t.name).join(' → ')} in every round.`,
      ],
    },
  };
  if (plan.phases.has('memory')) input.memory = await runMemoryPhase(ctx);
  if (plan.phases.has('latency') || plan.phases.has('capacity') || plan.phases.has('streams')) {
    await warmUp(ctx);
  }
  if (plan.phases.has('latency')) input.latency = await runLatencyPhase(ctx);
  if (plan.phases.has('capacity')) input.capacity = await runCapacityPhase(ctx);
  if (plan.phases.has('streams')) input.streams = await runStreamsPhase(ctx);

  const report = renderReport(input);
  process.stdout.write(`${report}\n`);
  mkdirSync(dirname(plan.outFile), { recursive: true });
  writeFileSync(plan.outFile, report);
  progress(`report written to ${plan.outFile}; ${((performance.now() - startedAtMs) / 1000).toFixed(0)} s`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const parsed = parsePlan(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`relay bench: ${parsed.message}\n${USAGE}\n`);
    process.exit(2);
  }
  const { plan } = parsed;
  const children = new ChildProcesses();
  const workDir = mkdtempSync(join(tmpdir(), 'lookout-relay-bench-'));
  process.once('exit', () => {
    children.killAllNow();
    rmSync(workDir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping every process started`);
      children.stopAll().finally(() => process.exit(130));
    });
  }
  if (plan.cpuProfileDir) mkdirSync(plan.cpuProfileDir, { recursive: true });
  const profilesBefore = new Set(plan.cpuProfileDir ? readdirSync(plan.cpuProfileDir) : []);

  let failed = false;
  try {
    await run(plan, children, workDir);
  } catch (error) {
    failed = true;
    process.stderr.write(`relay bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    await children.stopAll();
  }
  if (plan.cpuProfileDir) {
    const dir = plan.cpuProfileDir;
    const written = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !profilesBefore.has(f));
    // One profile per thread: the main thread's is by far the largest (a worker thread writes its own).
    const main = written.sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0];
    if (main) process.stdout.write(`\n${renderTopSelfTime(join(dir, main), 30)}\n`);
    else progress(`no CPU profile was written to ${dir}`);
  }
  process.exit(failed ? 1 : 0);
}

void main();
