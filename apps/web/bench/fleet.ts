/**
 * What the dashboard is measured against: three simulated Ollama instances, the real Lookout server
 * as its own process (serving the production build of the web app), and background calls through its
 * relay. Everything listens on 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type SimulatorHandle, startSimulator } from '@lookout/ollama-sim';
import { startTraffic, type TrafficCounts } from './traffic.ts';

const SERVER_DIR = resolve(import.meta.dirname, '..', '..', 'server');
const SERVER_START_TIMEOUT_MS = 60_000;

export const CHAT_MODELS = ['llama3.2:1b', 'qwen3:8b'] as const;
export const EMBED_MODEL = 'nomic-embed-text';

export interface BenchFleetOptions {
  readonly adminToken: string;
  /** The built web app the server serves (default: its own apps/web/dist). */
  readonly webDir?: string;
  readonly callsPerSec: number;
}

export interface BenchFleet {
  readonly dashboardUrl: string;
  readonly relayUrl: string;
  readonly serverPid: number;
  readonly traffic: TrafficCounts;
  /** Stops the traffic, the server (SIGTERM, SIGKILL after 5 s) and the simulators. */
  stop(): Promise<void>;
}

interface ServerProcess {
  readonly child: ChildProcess;
  readonly relayUrl: string;
  readonly dashboardUrl: string;
}

function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: { ...process.env, LOOKOUT_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`the server did not start within ${SERVER_START_TIMEOUT_MS / 1000} s:\n${output}`));
    }, SERVER_START_TIMEOUT_MS);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      fail(new Error(`the server exited with ${code} before it was ready:\n${output}`));
    };
    const onData = (data: Buffer) => {
      output += String(data);
      const relayUrl = /Lookout relay\s+(\S+)/.exec(output)?.[1];
      const dashboardUrl = /Lookout dashboard\s+(\S+)/.exec(output)?.[1];
      if (!relayUrl || !dashboardUrl) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      // Warnings from the server stay visible on stderr.
      child.stderr?.off('data', onData);
      child.stderr?.on('data', (d: Buffer) => process.stderr.write(`server: ${d}`));
      done({ child, relayUrl, dashboardUrl });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

export async function startBenchFleet(options: BenchFleetOptions): Promise<BenchFleet> {
  const sims: SimulatorHandle[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'lookout-web-bench-'));
  let server: ServerProcess | undefined;
  try {
    sims.push(
      ...(await Promise.all([
        startSimulator({ models: [...CHAT_MODELS, EMBED_MODEL], numParallel: 4, tokensPerSec: 60 }),
        startSimulator({ models: ['llama3.2:1b', EMBED_MODEL], numParallel: 2, tokensPerSec: 35 }),
        startSimulator({ models: ['qwen3:8b', EMBED_MODEL], numParallel: 1, tokensPerSec: 20 }),
      ])),
    );
    const names = ['gpu-a', 'gpu-b', 'cpu-c'];
    server = await startServer({
      LOOKOUT_HOST: '127.0.0.1',
      LOOKOUT_TARGETS: sims.map((s, i) => `${names[i]}=${s.url}`).join(','),
      LOOKOUT_RELAY_PORT: '0',
      LOOKOUT_DASHBOARD_PORT: '0',
      LOOKOUT_DATA_DIR: dataDir,
      LOOKOUT_ADMIN_TOKEN: options.adminToken,
      LOOKOUT_PROBE_INTERVAL_MS: '5000',
      LOOKOUT_GENERATION_PROBE_INTERVAL_MS: '0',
      ...(options.webDir ? { LOOKOUT_WEB_DIR: options.webDir } : {}),
    });
  } catch (error) {
    if (server) await stopServer(server.child);
    await Promise.all(sims.map((s) => s.close()));
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const running = server;
  const traffic = startTraffic({
    relayUrl: running.relayUrl,
    chatModels: CHAT_MODELS,
    embedModel: EMBED_MODEL,
    callsPerSec: options.callsPerSec,
  });
  return {
    dashboardUrl: running.dashboardUrl,
    relayUrl: running.relayUrl,
    serverPid: running.child.pid!,
    traffic: traffic.counts,
    async stop() {
      traffic.stop();
      await stopServer(running.child);
      await Promise.all(sims.map((s) => s.close()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
