import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER_DIR = fileURLToPath(new URL('../../', import.meta.url));

export interface LookoutChild {
  relay: string;
  dashboard: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/**
 * Starts `src/main.ts` as its own process with `env` on top of ours, and resolves once both listeners
 * printed their addresses. Listeners on port 0 unless `env` says otherwise.
 */
export function spawnLookout(env: Record<string, string>, startTimeoutMs = 30_000): Promise<LookoutChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: {
      ...process.env,
      LOOKOUT_RELAY_PORT: '0',
      LOOKOUT_DASHBOARD_PORT: '0',
      LOOKOUT_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (data: Buffer): void => {
    output += String(data);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Lookout did not start within ${startTimeoutMs} ms:\n${output}`));
    }, startTimeoutMs);
    const onData = (): void => {
      const relay = /Lookout relay\s+(\S+)/.exec(output)?.[1];
      const dashboard = /Lookout dashboard\s+(\S+)/.exec(output)?.[1];
      if (!relay || !dashboard) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onEarlyExit);
      resolve({ relay, dashboard, child, output: () => output, exited });
    };
    const onEarlyExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`Lookout exited with ${code} before it was ready:\n${output}`));
    };
    child.stdout?.on('data', onData);
    child.once('exit', onEarlyExit);
  });
}
