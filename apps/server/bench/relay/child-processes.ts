/**
 * The processes a bench run starts (simulator, Lookout, nginx, load generator). Every one is stopped
 * at the end, on failure and on Ctrl-C; one that dies early fails the run with its last output lines.
 */
import { type ChildProcess, type ForkOptions, fork, type SpawnOptions, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const KEPT_OUTPUT_LINES = 30;

export interface StartedChild {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The match of the ready pattern in the output (undefined when no pattern was given). */
  ready: RegExpMatchArray | undefined;
}

interface Tracked {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: boolean;
  /** Set once the bench asked it to stop: its exit is then expected. */
  stopping: boolean;
}

export class ChildProcessError extends Error {
  readonly code = 'BENCH_CHILD_FAILED';
}

export class ChildProcesses {
  readonly #tracked: Tracked[] = [];

  /** Starts a process; resolves once a line of its output matches `readyPattern` (when given). */
  async start(
    name: string,
    command: string,
    args: string[],
    options: SpawnOptions & {
      readyPattern?: RegExp;
      readyTimeoutMs?: number;
      /** Receives every output line (stdout and stderr) for as long as the process runs. */
      onLine?: ((line: string) => void) | undefined;
    },
  ): Promise<StartedChild> {
    const { readyPattern, readyTimeoutMs, onLine, ...spawnOptions } = options;
    const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    return this.#track(name, child, readyPattern, readyTimeoutMs ?? 30_000, onLine);
  }

  /** Forks a Node module with an IPC channel. */
  async fork(name: string, modulePath: string, options: ForkOptions): Promise<StartedChild> {
    const child = fork(modulePath, [], { ...options, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    return this.#track(name, child, undefined, 10_000);
  }

  #track(
    name: string,
    child: ChildProcess,
    readyPattern: RegExp | undefined,
    readyTimeoutMs: number,
    onOutputLine?: (line: string) => void,
  ): Promise<StartedChild> {
    const tracked: Tracked = { name, child, output: [], exited: false, stopping: false };
    this.#tracked.push(tracked);
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        finish(new ChildProcessError(`${name} not ready after ${readyTimeoutMs} ms${this.#tail(tracked)}`));
      }, readyTimeoutMs);
      const finish = (error: Error | undefined, match?: RegExpMatchArray): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve({ name, child, pid: child.pid as number, ready: match });
      };
      const onLine = (line: string): void => {
        onOutputLine?.(line);
        tracked.output.push(line);
        if (tracked.output.length > KEPT_OUTPUT_LINES) tracked.output.shift();
        const match = readyPattern ? line.match(readyPattern) : null;
        if (match) finish(undefined, match);
      };
      for (const stream of [child.stdout, child.stderr]) {
        if (stream) createInterface({ input: stream }).on('line', onLine);
      }
      child.once('error', (error) =>
        finish(new ChildProcessError(`${name} failed to start: ${error.message}`)),
      );
      child.once('exit', (code, signal) => {
        tracked.exited = true;
        finish(new ChildProcessError(`${name} exited with ${code ?? signal}${this.#tail(tracked)}`));
      });
      if (child.pid !== undefined && !readyPattern) finish(undefined);
    });
  }

  #tail(tracked: Tracked): string {
    return tracked.output.length === 0 ? '' : `; last output:\n  ${tracked.output.join('\n  ')}`;
  }

  /** Throws if a process died while the bench still needed it. */
  assertAlive(): void {
    for (const t of this.#tracked) {
      if (t.exited && !t.stopping) {
        throw new ChildProcessError(`${t.name} exited during the bench${this.#tail(t)}`);
      }
    }
  }

  /** Stops one process: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(child: ChildProcess, graceMs = 5_000): Promise<void> {
    const tracked = this.#tracked.find((t) => t.child === child);
    if (!tracked || tracked.exited) return;
    tracked.stopping = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops every process still running, the last started first. */
  async stopAll(): Promise<void> {
    for (const t of [...this.#tracked].reverse()) await this.stop(t.child);
  }

  /** Synchronous last resort (process 'exit' handler): SIGKILL to every process still running. */
  killAllNow(): void {
    for (const t of this.#tracked) {
      if (!t.exited) {
        t.stopping = true;
        t.child.kill('SIGKILL');
      }
    }
  }
}
