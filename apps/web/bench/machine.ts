/**
 * The machine under the numbers: what it is, and how busy it was (all of it, and this bench's own
 * processes) while a window was measured, so a report can say whether others were competing for it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';

const MS_PER_CLOCK_TICK = 10; // USER_HZ is 100 on Linux

export interface MachineDescription {
  readonly cores: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly chromium: string;
}

export function describeMachine(chromiumPath: string): MachineDescription {
  const run = spawnSync(chromiumPath, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    node: process.version,
    chromium: run.stdout?.trim() || `unknown (${chromiumPath} --version failed)`,
  };
}

export function loadAverage1m(): number {
  return loadavg()[0] ?? 0;
}

/** Busy CPU time of the whole machine so far (every core, idle and iowait excluded). */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return (total - idle) * MS_PER_CLOCK_TICK;
}

interface ProcStat {
  readonly ppid: number;
  readonly cpuMs: number;
}

function readProcStat(pid: number): ProcStat | null {
  try {
    // Fields after the command name (which may hold spaces): state ppid ... utime(12th) stime(13th).
    const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
    return { ppid: Number(rest[1]), cpuMs: (Number(rest[11]) + Number(rest[12])) * MS_PER_CLOCK_TICK };
  } catch {
    return null; // gone meanwhile
  }
}

function allProcesses(): Map<number, ProcStat> {
  const out = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat) out.set(Number(name), stat);
  }
  return out;
}

/** Process ids below `rootPid` (children, their children, ...), not `rootPid` itself. */
export function descendantPids(rootPid: number): number[] {
  const all = allProcesses();
  const found: number[] = [];
  const wanted = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, stat] of all) {
      if (!wanted.has(pid) && wanted.has(stat.ppid)) {
        wanted.add(pid);
        found.push(pid);
        grew = true;
      }
    }
  }
  return found;
}

/** CPU time used so far by `rootPid` and every process below it (the browser, the server). */
export function processTreeCpuMs(rootPid: number): number {
  const all = allProcesses();
  let sum = all.get(rootPid)?.cpuMs ?? 0;
  for (const pid of descendantPids(rootPid)) sum += all.get(pid)?.cpuMs ?? 0;
  return sum;
}

/** Sends SIGKILL to every process below this one; for the last moment of an exit that skipped cleanup. */
export function killDescendantsNow(): void {
  for (const pid of descendantPids(process.pid).reverse()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
