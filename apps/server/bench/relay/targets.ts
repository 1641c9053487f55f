/**
 * The three things a bench request can go to: the simulator itself ("direct"), nginx in front of it,
 * and Lookout in front of it. Each runs as its own process, started here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { ChildProcesses, StartedChild } from './child-processes.ts';
import type { GcTrace } from './gc-trace.ts';
import { nginxConf } from './nginx-conf.ts';
import { childPids } from './proc-stats.ts';
import { waitUntil } from './schedule.ts';

/** `lookout-compare`: another checkout's Lookout (`--compare-with`), for before/after in one run. */
export type TargetName = 'direct' | 'nginx' | 'node-proxy' | 'lookout-compare' | 'lookout';

export interface BenchTarget {
  name: TargetName;
  origin: string;
  /** The process that does the serving: the simulator for direct, nginx's worker, Lookout. */
  pid: number;
  process: StartedChild;
  /** Its collections, when it runs with `--trace-gc-nvp` (`--gc`). */
  gc?: GcTrace | undefined;
}

const SERVER_DIR = join(import.meta.dirname, '..', '..');
const REPO_DIR = join(SERVER_DIR, '..', '..');
const SIM_CLI = join(REPO_DIR, 'packages', 'ollama-sim', 'src', 'cli.ts');
export const BENCH_MODEL = 'llama3.2:1b';

/** The simulator with enough slots and queue for every bench, answering as fast as it can by default. */
export async function startSimulatorProcess(children: ChildProcesses, slots: number): Promise<BenchTarget> {
  const started = await children.start(
    'simulator',
    process.execPath,
    [
      '--import',
      'tsx',
      SIM_CLI,
      '--port',
      '0',
      '--models',
      BENCH_MODEL,
      '--parallel',
      String(slots),
      '--max-queue',
      String(slots * 2),
      '--tokens-per-sec',
      '0',
      '--prompt-tokens-per-sec',
      '0',
    ],
    { cwd: SERVER_DIR, readyPattern: /listening on (http:\/\/\S+)/ },
  );
  return { name: 'direct', origin: started.ready?.[1] as string, pid: started.pid, process: started };
}

/**
 * Builds Lookout as `pnpm start` does (`pnpm run build`: esbuild bundles to dist/), so the bench measures
 * the production output of the current source. Returns the build's summary line.
 */
export function buildLookout(serverDir: string = SERVER_DIR): string {
  const run = spawnSync(process.execPath, [join(serverDir, 'scripts', 'build.mjs')], {
    cwd: serverDir,
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    throw new Error(`building Lookout failed (node scripts/build.mjs):\n${run.stdout}${run.stderr}`);
  }
  return run.stdout.trim();
}

export interface LookoutStartOptions {
  upstreamOrigin: string;
  dataDir: string;
  maxConcurrent: number;
  /** When set, Lookout runs with `--cpu-prof` and writes its profile here when it stops. */
  cpuProfileDir: string | undefined;
  /** When set, Lookout runs with `--trace-gc-nvp` and its collections are read into it. */
  gc: GcTrace | undefined;
  /** Another checkout's `apps/server` to run instead, as the `lookout-compare` target. */
  compareServerDir?: string | undefined;
}

/**
 * How a checkout starts Lookout: `node dist/main.js` after its build when it has one, else (a checkout
 * from before the build existed) `node --import tsx src/main.ts`, as its `pnpm start` did.
 */
export function lookoutCommand(serverDir: string): { built: boolean; args: string[]; description: string } {
  if (existsSync(join(serverDir, 'scripts', 'build.mjs'))) {
    return { built: true, args: [join(serverDir, 'dist', 'main.js')], description: 'node dist/main.js' };
  }
  return {
    built: false,
    args: ['--import', 'tsx', join(serverDir, 'src', 'main.ts')],
    description: 'node --import tsx src/main.ts',
  };
}

/** Lookout as `pnpm start` runs it (`node dist/main.js`, built first), configured through its environment, on ephemeral ports. */
export async function startLookoutProcess(
  children: ChildProcesses,
  options: LookoutStartOptions,
): Promise<BenchTarget> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('LOOKOUT_')) env[key] = value;
  }
  Object.assign(env, {
    LOOKOUT_TARGETS: `sim=${options.upstreamOrigin}`,
    LOOKOUT_RELAY_PORT: '0',
    LOOKOUT_DASHBOARD_PORT: '0',
    LOOKOUT_DATA_DIR: options.dataDir,
    LOOKOUT_MAX_CONCURRENT: String(options.maxConcurrent),
    LOOKOUT_MAX_QUEUE: '10000',
    LOOKOUT_LOG_LEVEL: 'warn',
  });
  const profile = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  const { gc, compareServerDir } = options;
  const name: TargetName = compareServerDir === undefined ? 'lookout' : 'lookout-compare';
  const serverDir = compareServerDir ?? SERVER_DIR;
  const command = lookoutCommand(serverDir);
  if (command.built && compareServerDir !== undefined) buildLookout(serverDir); // ours is built by the bench
  const entry = command.args;
  const started = await children.start(
    name,
    process.execPath,
    [...profile, ...(gc ? ['--trace-gc-nvp'] : []), ...entry],
    {
      cwd: serverDir,
      env,
      readyPattern: /Lookout relay\s+(http:\/\/\S+)/,
      onLine: gc ? (line) => gc.onLine(line) : undefined,
    },
  );
  return { name, origin: started.ready?.[1] as string, pid: started.pid, process: started, gc };
}

/** The bare Node relay of `node-proxy.ts`: Node's own floor, for reference. Built to plain JS like Lookout. */
export async function startNodeProxyProcess(
  children: ChildProcesses,
  upstreamOrigin: string,
  workDir: string,
  gc: GcTrace | undefined,
): Promise<BenchTarget> {
  // One CommonJS file with undici inside, so it runs from the temp dir.
  const outfile = join(workDir, 'node-proxy.cjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'node-proxy.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  const started = await children.start(
    'node-proxy',
    process.execPath,
    [...(gc ? ['--trace-gc-nvp'] : []), outfile, upstreamOrigin],
    {
      cwd: SERVER_DIR,
      readyPattern: /listening on (http:\/\/\S+)/,
      onLine: gc ? (line) => gc.onLine(line) : undefined,
    },
  );
  return {
    name: 'node-proxy',
    origin: started.ready?.[1] as string,
    pid: started.pid,
    process: started,
    gc,
  };
}

/** The nginx binary, or undefined when it is not installed. */
export function findNginx(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** `nginx -v` (it prints to stderr). */
export function nginxVersion(binary: string): string {
  const run = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  return `${run.stdout ?? ''}${run.stderr ?? ''}`.trim() || `${binary} -v printed nothing`;
}

/** nginx in the foreground with a generated configuration under `dir`; its single worker is the target pid. */
export async function startNginxProcess(
  children: ChildProcesses,
  binary: string,
  dir: string,
  upstreamOrigin: string,
  workerConnections: number,
): Promise<BenchTarget> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    nginxConf({ dir, listenPort: port, upstreamOrigin, workerConnections }),
  );
  const started = await children.start(
    'nginx',
    binary,
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
    {},
  );
  const listening = await waitForPort(port, 10_000, () => started.child.exitCode === null);
  children.assertAlive();
  if (!listening) throw new Error(`nginx is not listening on 127.0.0.1:${port} after 10 s`);
  let workers: number[] = [];
  await waitUntil(() => {
    workers = childPids(started.pid);
    return workers.length > 0;
  }, 5_000);
  const worker = workers[0];
  if (worker === undefined) throw new Error('nginx started no worker process');
  return { name: 'nginx', origin: `http://127.0.0.1:${port}`, pid: worker, process: started };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, limitMs: number, alive: () => boolean): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline && alive()) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (connected) return true;
    await new Promise<void>((resolve) => {
      setTimeout(resolve, 50);
    });
  }
  return false;
}
