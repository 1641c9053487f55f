import type { ChildProcesses } from './child-processes.ts';
import type { LoadProcess } from './load-client.ts';
import type { BenchPlan } from './plan.ts';
import type { BenchTarget } from './targets.ts';

/** What every phase of a run works with. */
export interface BenchContext {
  plan: BenchPlan;
  /** In the order they are measured within a round: direct first, then the proxies. */
  targets: BenchTarget[];
  load: LoadProcess;
  children: ChildProcesses;
  /** One line of progress, on stderr (stdout carries the report). */
  progress(line: string): void;
}

/** Figures of one target in one round. */
export interface RoundFigures {
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
}
