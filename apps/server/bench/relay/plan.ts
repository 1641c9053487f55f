/** What a relay bench run measures and for how long, from its command line. */
import { join, resolve } from 'node:path';

export const PHASES = ['memory', 'latency', 'capacity', 'streams'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchPlan {
  quick: boolean;
  /** Also measure a bare Node relay (node:http + undici, nothing else), Node's own floor. */
  nodeBaseline: boolean;
  /** Run the Node targets with `--trace-gc-nvp` and report their collections in the latency rounds. */
  gc: boolean;
  phases: ReadonlySet<Phase>;
  rounds: number;
  outFile: string;
  cpuProfileDir: string | undefined;
  /** `apps/server` of another checkout whose Lookout runs too, as `lookout-compare` (before/after in one run). */
  compareServerDir: string | undefined;
  /** Open-loop load sent to each target once before anything is measured. */
  globalWarmupMs: number;
  latency: { ratePerSec: number; connectionCounts: number[]; warmupMs: number; measureMs: number };
  capacity: { connections: number; warmupMs: number; measureMs: number };
  streams: { connections: number; tokensPerStream: number; warmupMs: number; measureMs: number };
  ttft: {
    streamsPerSec: number;
    connections: number;
    tokens: number;
    tokenIntervalMs: number;
    warmupMs: number;
    measureMs: number;
  };
  memory: {
    streams: number;
    openPerSec: number;
    tokenIntervalMs: number;
    samples: number;
    sampleGapMs: number;
    /** Pause before the baseline and after the release, for the process to go quiet. */
    settleMs: number;
  };
}

export const USAGE = `Usage: relay bench [--quick] [--node-baseline] [--gc] [--rate N] [--rounds N] [--connections 1,50,200]
                   [--only ${PHASES.join(',')}] [--out FILE] [--cpu-prof DIR] [--compare-with CHECKOUT]
  --quick        about 1 minute instead of about 5 (shorter windows, same rounds)
  --node-baseline  also measure a bare Node relay (node:http + undici), about a third longer
  --gc           run Lookout (and the Node baseline) with --trace-gc-nvp; report scavenges per latency round
  --rate         open-loop requests per second for the added-latency rows (default 1000)
  --rounds       interleaved rounds per measure (default 3, at least 1)
  --connections  connection counts of the added-latency rows
  --only         run only these phases
  --out          where the Markdown report goes (default <repo>/.bench/relay.md)
  --cpu-prof     run Lookout with --cpu-prof and write its profile to DIR; prints its top functions
  --compare-with also run the Lookout of another checkout of the repository (e.g. a copy from before a
                 change) as the target lookout-compare, interleaved with the others`;

export type PlanParse = { ok: true; plan: BenchPlan } | { ok: false; message: string };

const REPO_DIR = join(import.meta.dirname, '..', '..', '..', '..');

function positiveInteger(flag: string, raw: string | undefined): number | string {
  const n = Number(raw);
  return raw !== undefined && Number.isInteger(n) && n >= 1
    ? n
    : `${flag} needs an integer >= 1, got ${JSON.stringify(raw)}`;
}

/** Reads the flags; unknown flags and bad values give a message naming them. */
export function parsePlan(argv: readonly string[]): PlanParse {
  let quick = false;
  let nodeBaseline = false;
  let gc = false;
  let rate = 1000;
  let rounds = 3;
  let connectionCounts = [1, 50, 200];
  let phases = new Set<Phase>(PHASES);
  let outFile = join(REPO_DIR, '.bench', 'relay.md');
  let cpuProfileDir: string | undefined;
  let compareServerDir: string | undefined;
  const args = argv.filter((a) => a !== '--');
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] as string;
    if (flag === '--quick' || flag === '--node-baseline' || flag === '--gc') {
      if (flag === '--quick') quick = true;
      else if (flag === '--gc') gc = true;
      else nodeBaseline = true;
      continue;
    }
    const value = args[i + 1];
    i++;
    switch (flag) {
      case '--rate': {
        const n = positiveInteger(flag, value);
        if (typeof n === 'string') return { ok: false, message: n };
        rate = n;
        break;
      }
      case '--rounds': {
        const n = positiveInteger(flag, value);
        if (typeof n === 'string') return { ok: false, message: n };
        rounds = n;
        break;
      }
      case '--connections': {
        const counts = (value ?? '').split(',').map((s) => positiveInteger(flag, s.trim()));
        const bad = counts.find((c) => typeof c === 'string');
        if (bad !== undefined) return { ok: false, message: bad as string };
        connectionCounts = counts as number[];
        break;
      }
      case '--only': {
        const names = (value ?? '').split(',').map((s) => s.trim());
        const unknown = names.find((n) => !(PHASES as readonly string[]).includes(n));
        if (unknown !== undefined) {
          return { ok: false, message: `--only takes ${PHASES.join(', ')}; got ${JSON.stringify(unknown)}` };
        }
        phases = new Set(names as Phase[]);
        break;
      }
      case '--out':
      case '--cpu-prof':
      case '--compare-with':
        if (value === undefined || value.startsWith('--'))
          return { ok: false, message: `${flag} needs a path` };
        if (flag === '--out') outFile = value;
        else if (flag === '--cpu-prof') cpuProfileDir = value;
        else compareServerDir = join(resolve(value), 'apps', 'server');
        break;
      default:
        return { ok: false, message: `unknown flag ${JSON.stringify(flag)}` };
    }
  }
  const windowMs = quick ? 700 : 4000;
  const shortWindowMs = quick ? 800 : 3000;
  const warmupMs = quick ? 200 : 600;
  return {
    ok: true,
    plan: {
      quick,
      nodeBaseline,
      gc,
      phases,
      rounds,
      outFile,
      cpuProfileDir,
      compareServerDir,
      globalWarmupMs: quick ? 1000 : 2500,
      latency: { ratePerSec: rate, connectionCounts, warmupMs, measureMs: windowMs },
      capacity: { connections: 64, warmupMs, measureMs: shortWindowMs },
      streams: { connections: 100, tokensPerStream: 1000, warmupMs, measureMs: shortWindowMs },
      ttft: {
        streamsPerSec: 50,
        connections: 64,
        tokens: 50,
        tokenIntervalMs: 10,
        warmupMs,
        measureMs: shortWindowMs,
      },
      memory: {
        streams: 1000,
        openPerSec: quick ? 1000 : 500,
        tokenIntervalMs: 1000,
        samples: 5,
        sampleGapMs: quick ? 150 : 400,
        settleMs: quick ? 500 : 1000,
      },
    },
  };
}
