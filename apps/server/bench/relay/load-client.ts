/** The bench's handle on its load process: send a job, get its result. */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChildProcesses } from './child-processes.ts';
import type { LoadJob, LoadReply, LoadRequest, ResultOf } from './jobs.ts';

export class LoadProcess {
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (message: LoadReply) => {
      const waiter = this.#pending.get(message.id);
      if (!waiter) return;
      this.#pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`load process: ${message.message}`));
    });
    child.on('exit', (code, signal) => {
      for (const waiter of this.#pending.values()) {
        waiter.reject(new Error(`load process exited with ${code ?? signal} during a job`));
      }
      this.#pending.clear();
    });
  }

  /** Forks the load process (`load-process.ts` run through tsx). */
  static async start(children: ChildProcesses): Promise<LoadProcess> {
    const started = await children.fork('load generator', join(import.meta.dirname, 'load-process.ts'), {
      execArgv: ['--import', 'tsx'],
      cwd: join(import.meta.dirname, '..', '..'),
    });
    return new LoadProcess(started.child);
  }

  run<J extends LoadJob>(job: J): Promise<ResultOf<J>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      const request: LoadRequest = { id, job };
      this.child.send(request, (error) => {
        if (!error) return;
        this.#pending.delete(id);
        reject(error);
      });
    });
  }
}
