/** Resident memory and CPU time of a process, read from Linux's /proc. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** VmRSS of a process in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = status.match(/^VmRSS:\s+(\d+)\s+kB$/m);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** The fields after `comm` in /proc/<pid>/stat (comm may hold spaces and parentheses). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

let ticksPerSec: number | undefined;

function clockTicksPerSec(): number {
  if (ticksPerSec === undefined) {
    try {
      ticksPerSec = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSec = 100;
    }
  }
  return ticksPerSec;
}

export interface CpuTimes {
  userMs: number;
  systemMs: number;
}

/** User and system CPU time a process has used, in milliseconds (10 ms resolution on most kernels). */
export function cpuTimes(pid: number): CpuTimes {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3 (state).
  const msPerTick = 1000 / clockTicksPerSec();
  return { userMs: Number(fields[11]) * msPerTick, systemMs: Number(fields[12]) * msPerTick };
}

/** CPU time used between two readings. */
export function cpuSince(before: CpuTimes, pid: number): CpuTimes {
  const now = cpuTimes(pid);
  return { userMs: now.userMs - before.userMs, systemMs: now.systemMs - before.systemMs };
}

/** Processes whose parent is `pid` (nginx's workers under its master). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(statFields(Number(entry))[1]) === pid) children.push(Number(entry));
    } catch {
      // the process ended while the list was read
    }
  }
  return children;
}
