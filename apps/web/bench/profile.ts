/**
 * Where the page's main-thread time goes over a window: a V8 CPU profile over CDP, summed by function
 * (self time: samples in that function; total time: samples with that function anywhere on the stack).
 * Names are only readable on an unminified build (`--profile` builds one).
 */
import type { FleetPage } from './fleet-page.ts';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface FunctionTime {
  /** `name (file:line)`, or V8's own `(garbage collector)`, `(program)`, `(idle)`. */
  readonly label: string;
  readonly selfMs: number;
  readonly totalMs: number;
}

export interface ProfileSummary {
  readonly sampledMs: number;
  readonly idleMs: number;
  readonly functions: readonly FunctionTime[];
  /** Self time by script file (the build's chunks), V8's own entries apart. */
  readonly files: readonly { readonly file: string; readonly selfMs: number }[];
}

function labelOf(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const file = frame.url.split('/').at(-1) ?? frame.url;
  return `${name} (${file}:${frame.lineNumber + 1})`;
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  let sampledMs = 0;
  let idleMs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the gap before sample i: attribute the gap after it, as DevTools does.
    const ms = (deltas[i + 1] ?? 0) / 1000;
    const leaf = byId.get(samples[i]!);
    if (!leaf) continue;
    sampledMs += ms;
    const leafLabel = labelOf(leaf.callFrame);
    if (leafLabel === '(idle)') {
      idleMs += ms;
      continue;
    }
    self.set(leafLabel, (self.get(leafLabel) ?? 0) + ms);
    const file = leaf.callFrame.url ? (leaf.callFrame.url.split('/').at(-1) ?? '') : leafLabel;
    files.set(file, (files.get(file) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node || node.callFrame.functionName === '(root)') continue;
      const label = labelOf(node.callFrame);
      if (seen.has(label)) continue; // recursion counts once
      seen.add(label);
      total.set(label, (total.get(label) ?? 0) + ms);
    }
  }
  const functions = [...total.entries()].map(([label, totalMs]) => ({
    label,
    selfMs: self.get(label) ?? 0,
    totalMs,
  }));
  return {
    sampledMs,
    idleMs,
    functions,
    files: [...files.entries()]
      .map(([file, selfMs]) => ({ file, selfMs }))
      .sort((a, b) => b.selfMs - a.selfMs),
  };
}

export async function profileWindow(
  fleetPage: FleetPage,
  durationMs: number,
): Promise<{ summary: ProfileSummary; updates: number }> {
  const session = await fleetPage.context.newCDPSession(fleetPage.page);
  try {
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: 250 });
    const updatesBefore = fleetPage.frames.updates;
    await session.send('Profiler.start');
    await new Promise((r) => setTimeout(r, durationMs));
    const { profile } = await session.send('Profiler.stop');
    return {
      summary: summarizeProfile(profile as CpuProfile),
      updates: fleetPage.frames.updates - updatesBefore,
    };
  } finally {
    await session.detach();
  }
}
