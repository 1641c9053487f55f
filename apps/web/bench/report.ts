/** The dashboard benchmark's Markdown report: live-update cost per phase, then the bundle sizes. */
import type { MachineDescription } from './machine.ts';
import type { TaskTrace, WindowSample } from './measure.ts';
import type { ProfileSummary } from './profile.ts';

export interface Phase {
  /** e.g. `after 15 s` or `after 15 min (full series)`. */
  readonly label: string;
  readonly windows: readonly WindowSample[];
  readonly trace: TaskTrace;
  readonly chartsOnScreen: number;
}

export interface SizeFile {
  readonly name: string;
  readonly kind: 'js' | 'css';
  readonly initial: boolean;
  readonly rawBytes: number;
  readonly gzipBytes: number;
}

export interface SizeReport {
  readonly files: readonly SizeFile[];
  readonly jsGzipBytes: number;
  readonly jsInitialGzipBytes: number;
  readonly cssGzipBytes: number;
  readonly jsRawBytes: number;
}

export interface ReportInput {
  readonly machine: MachineDescription;
  readonly date: string;
  readonly command: string;
  readonly setup: string;
  readonly phases: readonly Phase[];
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly traffic: { readonly sent: number; readonly ok: number; readonly failed: number };
  readonly notes: readonly string[];
  readonly sizes: SizeReport;
  readonly profile?: { readonly summary: ProfileSummary; readonly updates: number; readonly seconds: number };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

interface Row {
  readonly label: string;
  readonly cell: (phase: Phase) => string;
}

/** A median over the phase's windows, with the spread. */
function spread(values: readonly number[], format: (n: number) => string): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return `${format(median(values))} (${format(low)} – ${format(high)})`;
}

function perUpdate(w: WindowSample, value: number): number {
  return value / Math.max(1, w.updates);
}

const ROWS: readonly Row[] = [
  {
    label: 'live updates received per second',
    cell: (p) => median(p.windows.map((w) => w.updates / (w.durationMs / 1000))).toFixed(2),
  },
  {
    label: 'live chart points per line during the windows',
    cell: (p) => `${p.windows[0]?.pointsAtStart ?? 0} → ${p.windows.at(-1)?.pointsAtEnd ?? 0}`,
  },
  {
    label: '**main-thread busy per update** (TaskDuration / updates)',
    cell: (p) =>
      `**${spread(
        p.windows.map((w) => perUpdate(w, w.metrics.taskMs)),
        ms,
      )}**`,
  },
  {
    label: '· of which script (ScriptDuration)',
    cell: (p) =>
      spread(
        p.windows.map((w) => perUpdate(w, w.metrics.scriptMs)),
        ms,
      ),
  },
  {
    label: '· of which layout (LayoutDuration)',
    cell: (p) =>
      spread(
        p.windows.map((w) => perUpdate(w, w.metrics.layoutMs)),
        ms,
      ),
  },
  {
    label: '· of which style recalculation (RecalcStyleDuration)',
    cell: (p) =>
      spread(
        p.windows.map((w) => perUpdate(w, w.metrics.recalcStyleMs)),
        ms,
      ),
  },
  {
    label: 'main-thread CPU per update (TaskDuration as thread time)',
    cell: (p) =>
      spread(
        p.windows.map((w) => perUpdate(w, w.metrics.taskCpuMs)),
        ms,
      ),
  },
  {
    label: 'main thread busy, share of the window',
    cell: (p) => `${median(p.windows.map((w) => (100 * w.metrics.taskMs) / w.durationMs)).toFixed(1)}%`,
  },
  {
    label: 'layouts / style recalculations per update',
    cell: (p) =>
      `${median(p.windows.map((w) => perUpdate(w, w.metrics.layouts))).toFixed(1)} / ${median(
        p.windows.map((w) => perUpdate(w, w.metrics.styleRecalcs)),
      ).toFixed(1)}`,
  },
  {
    label: 'long animation frames (> 50 ms) per update; longest',
    cell: (p) => {
      const longest = Math.max(0, ...p.windows.map((w) => w.longestFrameMs ?? 0));
      const per = median(p.windows.map((w) => perUpdate(w, w.longFrames)));
      return `${per.toFixed(2)}; ${longest > 0 ? ms(longest) : 'none'}`;
    },
  },
  {
    label: 'longest main-thread task (trace of one more window)',
    cell: (p) => ms(p.trace.longestTaskMs),
  },
  {
    label: 'main-thread tasks over 16 ms / over 50 ms, per update (same trace)',
    cell: (p) => {
      const n = Math.max(1, p.trace.updates);
      return `${(p.trace.tasksOver16Ms / n).toFixed(2)} / ${(p.trace.tasksOver50Ms / n).toFixed(2)}`;
    },
  },
  {
    label: 'WebSocket bytes per update (mean)',
    cell: (p) => {
      const bytes = p.windows.reduce((n, w) => n + w.bytes, 0);
      const updates = p.windows.reduce((n, w) => n + w.updates + w.otherMessages, 0);
      return `${Math.round(bytes / Math.max(1, updates))} B`;
    },
  },
  {
    label: 'CPU of other processes (not this bench) meanwhile; of this bench (browser, server, simulators)',
    cell: (p) =>
      `${median(p.windows.map((w) => (w.machineBusyMsPerSec - w.benchCpuMsPerSec) / 10)).toFixed(0)}%; ${median(
        p.windows.map((w) => w.benchCpuMsPerSec / 10),
      ).toFixed(0)}% of one core`,
  },
];

function liveTable(phases: readonly Phase[]): string {
  const head = `| one live update, Fleet page | ${phases.map((p) => p.label).join(' | ')} |`;
  const rule = `|---|${phases.map(() => '---').join('|')}|`;
  const rows = ROWS.map((r) => `| ${r.label} | ${phases.map((p) => r.cell(p)).join(' | ')} |`);
  return [head, rule, ...rows].join('\n');
}

function sizeTable(sizes: SizeReport): string {
  const rows = sizes.files.map(
    (f) => `| ${f.name} | ${kib(f.rawBytes)} | ${kib(f.gzipBytes)} | ${f.initial ? 'first load' : 'later'} |`,
  );
  return [
    '| file | raw | gzip -9 | loaded |',
    '|---|---|---|---|',
    ...rows,
    `| **JS total** | ${kib(sizes.jsRawBytes)} | **${kib(sizes.jsGzipBytes)}** | |`,
    `| **JS on first load** | | **${kib(sizes.jsInitialGzipBytes)}** | |`,
    `| CSS total | | ${kib(sizes.cssGzipBytes)} | |`,
  ].join('\n');
}

function profileTable(profile: NonNullable<ReportInput['profile']>): string {
  const { summary, updates, seconds } = profile;
  const per = (n: number) => ms(n / Math.max(1, updates));
  const top = [...summary.functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, 15);
  const inclusive = [...summary.functions]
    .filter((f) => !f.label.startsWith('('))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, 15);
  return [
    `CPU profile of ${seconds} s (${updates} updates; ${ms(summary.sampledMs - summary.idleMs)} sampled outside idle):`,
    '',
    '| function, by self time | self per update | total per update |',
    '|---|---|---|',
    ...top.map((f) => `| \`${f.label}\` | ${per(f.selfMs)} | ${per(f.totalMs)} |`),
    '',
    '| function, by total time (callees included) | total per update |',
    '|---|---|',
    ...inclusive.map((f) => `| \`${f.label}\` | ${per(f.totalMs)} |`),
    '',
    '| script file | self per update |',
    '|---|---|',
    ...summary.files.slice(0, 8).map((f) => `| ${f.file} | ${per(f.selfMs)} |`),
  ].join('\n');
}

export function renderReport(input: ReportInput): string {
  const { machine, phases } = input;
  const windowCount = phases[0]?.windows.length ?? 0;
  const windowSeconds = Math.round((phases[0]?.windows[0]?.durationMs ?? 0) / 1000);
  const parts = [
    '### Dashboard',
    '',
    `Machine: ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, ${machine.chromium}; ` +
      `${input.date}; command: \`${input.command}\`.`,
    '',
    `${input.setup} Each column: the median of ${windowCount} windows of ${windowSeconds} s ` +
      '(lowest – highest in brackets); every figure "per update" divides all the main-thread work ' +
      'of the window by the live updates in it. Charts wholly on screen: ' +
      `${phases.map((p) => `${p.chartsOnScreen} of 6`).join(', ')}.`,
    '',
    liveTable(phases),
    '',
    `Load: 1-minute load average ${input.loadAverage.start.toFixed(2)} at the start, ` +
      `${input.loadAverage.end.toFixed(2)} at the end. Background calls: ${input.traffic.sent} sent, ` +
      `${input.traffic.ok} ok, ${input.traffic.failed} failed.`,
    ...input.notes.map((n) => `\n${n}`),
    '',
    'Production build, gzipped (`node bench/size.mjs`):',
    '',
    sizeTable(input.sizes),
  ];
  if (input.profile) parts.push('', profileTable(input.profile));
  return `${parts.join('\n')}\n`;
}
