import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER_MAIN = fileURLToPath(new URL('../../apps/server/src/main.ts', import.meta.url));

export interface LookoutProcess {
  relay: string;
  dashboard: string;
  child: ChildProcess;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

/** Starts the real server (`apps/server/src/main.ts`) as its own process with `env` on top of ours. */
export function startLookoutProcess(env: Record<string, string>): Promise<LookoutProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_MAIN], {
    cwd: fileURLToPath(new URL('../../apps/server/', import.meta.url)),
    env: { ...process.env, LOOKOUT_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Lookout did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (data: Buffer) => {
      output += String(data);
      const relay = /Lookout relay\s+(\S+)/.exec(output)?.[1];
      const dashboard = /Lookout dashboard\s+(\S+)/.exec(output)?.[1];
      if (relay && dashboard) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve({
          relay,
          dashboard,
          child,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      output += String(d);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Lookout exited with ${code} before it was ready:\n${output}`));
    });
  });
}
