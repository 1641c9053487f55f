/**
 * One measured window on the open Fleet page: how many live updates arrived and how much main-thread
 * time the page spent meanwhile (CDP Performance.getMetrics, as wall time of its tasks and as the
 * thread's CPU time), its long frames, and how busy the machine was.
 */
import type { Browser, CDPSession } from 'playwright-core';
import type { FleetPage } from './fleet-page.ts';
import { machineBusyMs, processTreeCpuMs } from './machine.ts';

/** Durations in ms, counts as counts: the change over a window. */
export interface MetricDelta {
  readonly taskMs: number;
  readonly scriptMs: number;
  readonly layoutMs: number;
  readonly recalcStyleMs: number;
  /** TaskDuration again, measured as the main thread's CPU time instead of wall time. */
  readonly taskCpuMs: number;
  readonly layouts: number;
  readonly styleRecalcs: number;
}

export interface WindowSample {
  readonly durationMs: number;
  readonly updates: number;
  readonly otherMessages: number;
  readonly bytes: number;
  readonly metrics: MetricDelta;
  /** Long animation frames (> 50 ms) that started in the window, and the longest. */
  readonly longFrames: number;
  readonly longestFrameMs: number | null;
  /** Points per line of the live charts at the window's start and end (one per update, 900 at most). */
  readonly pointsAtStart: number;
  readonly pointsAtEnd: number;
  /** CPU of the whole machine and of this bench's own processes (browser, server, simulators). */
  readonly machineBusyMsPerSec: number;
  readonly benchCpuMsPerSec: number;
}

const SERIES_CAPACITY = 900;

type Metrics = Record<string, number>;

/** Two CDP sessions on the page: one reports durations as wall time, one as thread CPU time. */
export interface MetricsProbe {
  read(): Promise<{ wall: Metrics; cpu: Metrics }>;
  detach(): Promise<void>;
}

export async function openMetricsProbe(fleetPage: FleetPage): Promise<MetricsProbe> {
  const wall = await fleetPage.context.newCDPSession(fleetPage.page);
  const cpu = await fleetPage.context.newCDPSession(fleetPage.page);
  await wall.send('Performance.enable', { timeDomain: 'timeTicks' });
  await cpu.send('Performance.enable', { timeDomain: 'threadTicks' });
  const get = async (session: CDPSession): Promise<Metrics> => {
    const { metrics } = await session.send('Performance.getMetrics');
    return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
  };
  return {
    read: async () => ({ wall: await get(wall), cpu: await get(cpu) }),
    detach: async () => {
      await wall.detach();
      await cpu.detach();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureWindow(
  fleetPage: FleetPage,
  probe: MetricsProbe,
  durationMs: number,
): Promise<WindowSample> {
  const framesBefore = { ...fleetPage.frames };
  const machineBefore = machineBusyMs();
  const benchBefore = processTreeCpuMs(process.pid);
  const pageStartMs = await fleetPage.pageNowMs();
  const before = await probe.read();
  const startedAt = performance.now();
  await sleep(durationMs);
  const after = await probe.read();
  const elapsedMs = performance.now() - startedAt;
  const pageEndMs = await fleetPage.pageNowMs();
  const framesAfter = { ...fleetPage.frames };
  const seconds = elapsedMs / 1000;
  const machinePerSec = (machineBusyMs() - machineBefore) / seconds;
  const benchPerSec = (processTreeCpuMs(process.pid) - benchBefore) / seconds;

  const wallMs = (name: string) => ((after.wall[name] ?? 0) - (before.wall[name] ?? 0)) * 1000;
  const count = (name: string) => (after.wall[name] ?? 0) - (before.wall[name] ?? 0);
  const frames = (await fleetPage.longEntries()).filter(
    (e) => e.type === 'long-animation-frame' && e.startMs >= pageStartMs && e.startMs < pageEndMs,
  );
  return {
    durationMs: elapsedMs,
    updates: framesAfter.updates - framesBefore.updates,
    otherMessages: framesAfter.others - framesBefore.others,
    bytes: framesAfter.bytes - framesBefore.bytes,
    metrics: {
      taskMs: wallMs('TaskDuration'),
      scriptMs: wallMs('ScriptDuration'),
      layoutMs: wallMs('LayoutDuration'),
      recalcStyleMs: wallMs('RecalcStyleDuration'),
      taskCpuMs: ((after.cpu.TaskDuration ?? 0) - (before.cpu.TaskDuration ?? 0)) * 1000,
      layouts: count('LayoutCount'),
      styleRecalcs: count('RecalcStyleCount'),
    },
    longFrames: frames.length,
    longestFrameMs: frames.length > 0 ? Math.max(...frames.map((f) => f.durationMs)) : null,
    pointsAtStart: Math.min(SERIES_CAPACITY, framesBefore.updates),
    pointsAtEnd: Math.min(SERIES_CAPACITY, framesAfter.updates),
    machineBusyMsPerSec: machinePerSec,
    benchCpuMsPerSec: benchPerSec,
  };
}

/** Every task of the page's main thread over a window, from a Chromium trace. */
export interface TaskTrace {
  readonly durationMs: number;
  readonly updates: number;
  readonly tasks: number;
  readonly longestTaskMs: number;
  /** Tasks over 16 ms (a frame at 60 Hz) and over 50 ms (a "long task"). */
  readonly tasksOver16Ms: number;
  readonly tasksOver50Ms: number;
  readonly busyMs: number;
}

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly dur?: number;
  readonly args?: { readonly name?: string };
}

/** Top-level tasks (`RunTask`) of renderer main threads; the busiest such thread is the page's. */
export function mainThreadTasksMs(events: readonly TraceEvent[]): number[] {
  const rendererMains = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const byThread = new Map<string, number[]>();
  for (const e of events) {
    if (e.ph !== 'X' || e.name !== 'RunTask' || e.dur === undefined) continue;
    const key = `${e.pid}:${e.tid}`;
    if (!rendererMains.has(key)) continue;
    const list = byThread.get(key) ?? [];
    if (list.length === 0) byThread.set(key, list);
    list.push(e.dur / 1000);
  }
  let busiest: number[] = [];
  let busiestSum = -1;
  for (const list of byThread.values()) {
    const sum = list.reduce((a, b) => a + b, 0);
    if (sum > busiestSum) {
      busiest = list;
      busiestSum = sum;
    }
  }
  return busiest;
}

export async function traceTasks(
  browser: Browser,
  fleetPage: FleetPage,
  durationMs: number,
): Promise<TaskTrace> {
  const updatesBefore = fleetPage.frames.updates;
  await browser.startTracing(fleetPage.page, {
    categories: ['toplevel', 'disabled-by-default-devtools.timeline'],
  });
  const startedAt = performance.now();
  await sleep(durationMs);
  const buffer = await browser.stopTracing();
  const elapsedMs = performance.now() - startedAt;
  const parsed = JSON.parse(buffer.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const tasks = mainThreadTasksMs(events);
  return {
    durationMs: elapsedMs,
    updates: fleetPage.frames.updates - updatesBefore,
    tasks: tasks.length,
    longestTaskMs: tasks.length > 0 ? Math.max(...tasks) : 0,
    tasksOver16Ms: tasks.filter((t) => t > 16).length,
    tasksOver50Ms: tasks.filter((t) => t > 50).length,
    busyMs: tasks.reduce((a, b) => a + b, 0),
  };
}
