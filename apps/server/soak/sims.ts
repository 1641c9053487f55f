/** The parent's side of the simulator process: start it, arm faults, read stats, stop it. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FaultSpec, SimulatorOptions, SimulatorStats } from '@lookout/ollama-sim';

export type SimRequest =
  | { id: number; sim: number; op: 'setFaults'; faults: FaultSpec[] }
  | { id: number; sim: number; op: 'clearFaults' }
  | { id: number; sim: number; op: 'stats' };

export type SimResponse =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

type Ready = { type: 'ready'; urls: string[] };

const START_TIMEOUT_MS = 30_000;
const REPLY_TIMEOUT_MS = 10_000;

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

export class SimulatorFleet {
  readonly #child: ChildProcess;
  readonly urls: readonly string[];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #exited = false;

  private constructor(child: ChildProcess, urls: string[]) {
    this.#child = child;
    this.urls = urls;
    child.on('message', (message: SimResponse) => {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new Error(message.error));
    });
    child.once('exit', () => {
      this.#exited = true;
      for (const pending of this.#pending.values()) {
        clearTimeout(pending.timer);
        pending.reject(new Error('the simulator process exited'));
      }
      this.#pending.clear();
    });
  }

  /** Starts one process running a simulator per entry of `options`. */
  static start(options: SimulatorOptions[]): Promise<SimulatorFleet> {
    const entry = fileURLToPath(new URL('./sim-process.ts', import.meta.url));
    const child = fork(entry, [JSON.stringify(options)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      const fail = (error: Error): void => {
        clearTimeout(timer);
        child.kill();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new Error('the simulator process did not start in time')),
        START_TIMEOUT_MS,
      );
      child.once('error', fail);
      child.once('exit', (code) => fail(new Error(`the simulator process exited with ${code}`)));
      child.once('message', (message: Ready) => {
        clearTimeout(timer);
        child.removeAllListeners('error');
        child.removeAllListeners('exit');
        resolve(new SimulatorFleet(child, message.urls));
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  setFaults(sim: number, faults: FaultSpec[]): Promise<void> {
    return this.#ask({ id: this.#nextId++, sim, op: 'setFaults', faults }) as Promise<void>;
  }

  clearFaults(sim: number): Promise<void> {
    return this.#ask({ id: this.#nextId++, sim, op: 'clearFaults' }) as Promise<void>;
  }

  stats(sim: number): Promise<SimulatorStats> {
    return this.#ask({ id: this.#nextId++, sim, op: 'stats' }) as Promise<SimulatorStats>;
  }

  /** Stops the simulators and waits for the process to exit. */
  close(): Promise<void> {
    if (this.#exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
      this.#child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#child.disconnect();
    });
  }

  #ask(request: SimRequest): Promise<unknown> {
    if (this.#exited) return Promise.reject(new Error('the simulator process exited'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(request.id);
        reject(new Error(`the simulator process did not answer ${request.op} in time`));
      }, REPLY_TIMEOUT_MS);
      this.#pending.set(request.id, { resolve, reject, timer });
      this.#child.send(request);
    });
  }
}
