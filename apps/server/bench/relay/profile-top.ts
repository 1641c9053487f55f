/**
 * The functions that spent the most self time in a V8 `.cpuprofile` (from `node --cpu-prof`).
 * Positions in a bundle (Lookout's `dist/main.js`) are mapped back to the `.ts` line through the
 * bundle's `.map` file beside it; code run through tsx through the source maps tsx keeps in its cache
 * (`<tmpdir>/tsx-<uid>`). Without either the position is given as it is in the running code.
 * Run: `node --import tsx bench/relay/profile-top.ts <file.cpuprofile> [count]` in apps/server.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  functionName: string;
  /** `path:line` of the function, relative to the repository when inside it. */
  location: string;
  selfMs: number;
  /** Share of the non-idle time. */
  selfPercent: number;
  /** Time with the function anywhere on the stack (itself and what it called), share of the non-idle time. */
  totalPercent: number;
}

const REPO_DIR = join(import.meta.dirname, '..', '..', '..', '..');

/** Source maps of tsx's cached transforms, newest first per source file. */
function tsxSourceMaps(): Map<string, SourceMap> {
  const maps = new Map<string, SourceMap>();
  const uid = process.geteuid ? process.geteuid() : userInfo().username;
  const dir = join(tmpdir(), `tsx-${uid}`);
  let entries: { file: string; mtimeMs: number }[];
  try {
    entries = readdirSync(dir).map((f) => ({ file: join(dir, f), mtimeMs: statSync(join(dir, f)).mtimeMs }));
  } catch {
    return maps;
  }
  entries.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { file } of entries) {
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as { map?: SourceMapPayload };
      const source = cached.map?.sources?.[0];
      if (source && !maps.has(source)) maps.set(source, new SourceMap(cached.map as SourceMapPayload));
    } catch {
      // not a transform entry
    }
  }
  return maps;
}

/** The source map of a bundle written beside it (`main.js.map`), read once per file. */
function bundleSourceMap(path: string, cache: Map<string, SourceMap | null>): SourceMap | undefined {
  if (!path.endsWith('.js')) return undefined;
  let map = cache.get(path);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')) as SourceMapPayload);
    } catch {
      map = null;
    }
    cache.set(path, map);
  }
  return map ?? undefined;
}

const bundleMaps = new Map<string, SourceMap | null>();

function describeLocation(frame: ProfileNode['callFrame'], maps: Map<string, SourceMap>): string {
  if (frame.url === '') return '(native)';
  let path = frame.url;
  if (path.startsWith('file://')) path = fileURLToPath(path);
  const shown = (p: string): string => (p.startsWith(REPO_DIR) ? relative(REPO_DIR, p) : p);
  const bundle = bundleSourceMap(path, bundleMaps);
  if (bundle) {
    const entry = bundle.findEntry(frame.lineNumber, frame.columnNumber) as {
      originalSource?: string;
      originalLine?: number;
    };
    if (entry.originalSource !== undefined && typeof entry.originalLine === 'number') {
      return `${shown(resolve(dirname(path), entry.originalSource))}:${entry.originalLine + 1}`;
    }
  }
  const map = maps.get(path) ?? maps.get(pathToFileURL(path).href);
  if (map) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalLine?: number };
    if (typeof entry.originalLine === 'number') return `${shown(path)}:${entry.originalLine + 1}`;
  }
  const transformed = /\.[cm]?tsx?$/.test(path) ? ' (transformed code)' : '';
  return `${shown(path)}:${frame.lineNumber + 1}:${frame.columnNumber + 1}${transformed}`;
}

function frameKey(f: ProfileNode['callFrame']): string {
  return `${f.functionName}|${f.url}|${f.lineNumber}|${f.columnNumber}`;
}

/** Self and inclusive time per function (idle left out), and the non-idle total, in microseconds. */
function timePerFunction(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const perKey = new Map<string, { frame: ProfileNode['callFrame']; selfUs: number; totalUs: number }>();
  const entryOf = (frame: ProfileNode['callFrame']) => {
    const key = frameKey(frame);
    let entry = perKey.get(key);
    if (!entry) {
      entry = { frame, selfUs: 0, totalUs: 0 };
      perKey.set(key, entry);
    }
    return entry;
  };
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') return;
    totalUs += us;
    entryOf(node.callFrame).selfUs += us;
    // Inclusive time: once per function on this sample's stack, however often it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      const key = frameKey(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      entryOf(frame).totalUs += us;
    }
  });
  return { totalUs, entries: [...perKey.values()] };
}

/** The `limit` functions with the most self time, idle time left out. */
export function topSelfTime(profilePath: string, limit = 25): { totalMs: number; rows: HotFunction[] } {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile;
  const { totalUs, entries } = timePerFunction(profile);
  const maps = tsxSourceMaps();
  const share = (us: number): number => (totalUs > 0 ? (us / totalUs) * 100 : 0);
  const rows = entries
    .sort((a, b) => b.selfUs - a.selfUs)
    .slice(0, limit)
    .map(({ frame, selfUs, totalUs: inclusiveUs }) => ({
      functionName: frame.functionName || '(anonymous)',
      location: describeLocation(frame, maps),
      selfMs: selfUs / 1000,
      selfPercent: share(selfUs),
      totalPercent: share(inclusiveUs),
    }));
  return { totalMs: totalUs / 1000, rows };
}

/** Functions of the repository (not node_modules, not Node's) with the most inclusive time. */
export function topInclusiveProjectTime(profilePath: string, limit = 25): HotFunction[] {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile;
  const { totalUs, entries } = timePerFunction(profile);
  const maps = tsxSourceMaps();
  const share = (us: number): number => (totalUs > 0 ? (us / totalUs) * 100 : 0);
  const repoUrl = pathToFileURL(REPO_DIR).href;
  return entries
    .filter((e) => e.frame.url.startsWith(repoUrl) && !e.frame.url.includes('/node_modules/'))
    .sort((a, b) => b.totalUs - a.totalUs)
    .slice(0, limit)
    .map(({ frame, selfUs, totalUs: inclusiveUs }) => ({
      functionName: frame.functionName || '(anonymous)',
      location: describeLocation(frame, maps),
      selfMs: selfUs / 1000,
      selfPercent: share(selfUs),
      totalPercent: share(inclusiveUs),
    }));
}

/** A Markdown table of {@link topSelfTime}. */
export function renderTopSelfTime(profilePath: string, limit = 25): string {
  const { totalMs, rows } = topSelfTime(profilePath, limit);
  const line = (r: HotFunction): string =>
    `| ${r.selfMs.toFixed(0)} | ${r.selfPercent.toFixed(1)} | ${r.totalPercent.toFixed(1)} | ${r.functionName} | ${r.location} |`;
  const head = ['| self ms | self % | total % | function | location |', '|---:|---:|---:|---|---|'];
  return [
    `Top self time in ${profilePath} (${Math.round(totalMs)} ms of non-idle samples; total % = with callees):`,
    '',
    ...head,
    ...rows.map(line),
    '',
    'Repository functions by total time (with callees):',
    '',
    ...head,
    ...topInclusiveProjectTime(profilePath, limit).map(line),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: profile-top.ts <file.cpuprofile> [count]\n');
    process.exit(2);
  }
  process.stdout.write(`${renderTopSelfTime(file, Number(process.argv[3] ?? 25))}\n`);
}
