/** The soak's knobs, their defaults (the long run), and the command line that sets them. */

export interface SoakOptions {
  /** How long the load runs. */
  durationMs: number;
  /** Application clients calling at once. */
  concurrency: number;
  /** Seeds the calls, the faults, the aborts and the slow reader's pauses. */
  seed: number;
  /** Dashboard clients that read every message (one slow reader comes on top). */
  dashboards: number;
  /** Period of the fault schedule. */
  faultEveryMs: number;
  /** Period of the heap samples (each after a full GC). */
  sampleEveryMs: number;
  /** Part of the load, from its start, that counts as warm-up for the memory check. */
  warmupFraction: number;
  /** Heap growth allowed after warm-up: least-squares slope, and end minus warm-up medians. */
  maxHeapSlopeBytesPerMin: number;
  maxHeapGrowthBytes: number;
  /** Longest wait, after the load, for the gauges and the simulators to come back to zero. */
  settleTimeoutMs: number;
  /** A response with no byte for this long is abandoned as stuck (beyond every budget of the fleet). */
  stuckAfterMs: number;
  /** Longest wait allowed between two messages to a reading dashboard (the hub sends one a second). */
  maxDashboardGapMs: number;
  /** Where the JSON summary goes (undefined: nowhere). */
  reportPath: string | undefined;
  /** Progress lines (undefined: quiet). */
  log: ((line: string) => void) | undefined;
}

const MiB = 1024 * 1024;

/** The long run (`pnpm soak`). */
export const LONG_RUN: SoakOptions = {
  durationMs: 5 * 60_000,
  concurrency: 12,
  seed: 1,
  dashboards: 5,
  faultEveryMs: 3_000,
  sampleEveryMs: 5_000,
  warmupFraction: 0.4,
  maxHeapSlopeBytesPerMin: 1 * MiB,
  maxHeapGrowthBytes: 4 * MiB,
  settleTimeoutMs: 15_000,
  stuckAfterMs: 15_000,
  maxDashboardGapMs: 5_000,
  reportPath: undefined,
  log: undefined,
};

/**
 * The short run inside `pnpm test` (about 25 s in all): the same load, faults and checks at lower
 * concurrency. Its memory bound is an absolute one relative to warm-up, loose enough for a run this
 * short on a machine that other test files share; its slope is reported, not judged.
 */
export const SHORT_RUN: SoakOptions = {
  ...LONG_RUN,
  durationMs: 20_000,
  concurrency: 6,
  dashboards: 3,
  faultEveryMs: 2_000,
  sampleEveryMs: 1_000,
  maxHeapSlopeBytesPerMin: Number.POSITIVE_INFINITY,
  maxHeapGrowthBytes: 16 * MiB,
  maxDashboardGapMs: 10_000,
};

/** Parses `30s`, `5m`, `1500ms` or a bare number of seconds. */
export function parseDurationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new RangeError(`duration must look like 30s, 5m or 1500ms, got "${text}"`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1_000 : unit === 'm' ? 60_000 : 3_600_000;
  return Math.round(value * factor);
}

function positiveInteger(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${flag} must be a whole number >= 1, got "${text ?? ''}"`);
  }
  return value;
}

export const USAGE = `pnpm soak [--duration 5m] [--warmup 2m] [--concurrency 12] [--seed 1] [--dashboards 5] [--report <file>]

Mixed streaming and non-streaming load with faults and aborts through the relay while dashboards are
connected; checks that outcome counts reconcile with what the clients saw, that gauges return to zero
and that the heap stops growing after warm-up. Loopback only; stops by itself.`;

/** Options from the command line over `base`; throws a RangeError naming the bad flag. */
export function parseArgs(argv: readonly string[], base: SoakOptions): SoakOptions & { help: boolean } {
  const options = { ...base, help: false };
  let warmupMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new RangeError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--':
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--duration':
        options.durationMs = parseDurationMs(value());
        break;
      case '--concurrency':
        options.concurrency = positiveInteger(flag, value());
        break;
      case '--seed':
        options.seed = positiveInteger(flag, value());
        break;
      case '--warmup':
        warmupMs = parseDurationMs(value());
        break;
      case '--dashboards':
        options.dashboards = positiveInteger(flag, value());
        break;
      case '--report':
        options.reportPath = value();
        break;
      default:
        throw new RangeError(`unknown option "${flag}"\n\n${USAGE}`);
    }
  }
  if (warmupMs !== undefined) {
    if (warmupMs >= options.durationMs) {
      throw new RangeError(`--warmup must be shorter than --duration (${options.durationMs} ms)`);
    }
    options.warmupFraction = warmupMs / options.durationMs;
  }
  return options;
}
