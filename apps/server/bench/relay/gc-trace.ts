/**
 * Garbage collections of a Node process run with `--trace-gc-nvp`, read from its output: how often
 * it scavenged, how long each pause was, and how much of what a request allocated outlived a scavenge
 * (the survivors are what a scavenge copies, so they set its pause).
 */
import { percentile } from './quantiles.ts';

interface GcEvent {
  /** `s` scavenge, `mc` mark-compact, `ms` minor mark-sweep. */
  kind: string;
  pauseMs: number;
  allocatedBytes: number;
  survivedBytes: number;
  promotedBytes: number;
}

/** GC of one process over one measured job. */
export interface GcFigures {
  scavenges: number;
  fullGcs: number;
  scavengePauseP50Ms: number;
  scavengePauseMaxMs: number;
  /** Bytes allocated, and bytes that survived a scavenge, per request of the job. */
  allocatedPerRequestBytes: number;
  survivedPerRequestBytes: number;
}

const FIELD = /(\w+)=([0-9.]+)/g;

export class GcTrace {
  readonly #events: GcEvent[] = [];

  /** Feed every output line of the process; lines that are not `--trace-gc-nvp` records are ignored. */
  onLine(line: string): void {
    const kind = / gc=(\w+) /.exec(line)?.[1];
    if (kind === undefined) return;
    const fields = new Map<string, number>();
    for (const [, key, value] of line.matchAll(FIELD)) fields.set(key as string, Number(value));
    this.#events.push({
      kind,
      pauseMs: fields.get('pause') ?? 0,
      allocatedBytes: fields.get('allocated') ?? 0,
      survivedBytes: fields.get('new_space_survived') ?? 0,
      promotedBytes: fields.get('promoted') ?? 0,
    });
  }

  /** A position to measure from. */
  mark(): number {
    return this.#events.length;
  }

  /** Collections since `mark`, per request when `requests` were served meanwhile. */
  since(mark: number, requests: number): GcFigures {
    const events = this.#events.slice(mark);
    const scavenges = events.filter((e) => e.kind === 's');
    const pauses = scavenges.map((e) => e.pauseMs);
    const sum = (pick: (e: GcEvent) => number): number => events.reduce((s, e) => s + pick(e), 0);
    const perRequest = (bytes: number): number => (requests > 0 ? bytes / requests : Number.NaN);
    return {
      scavenges: scavenges.length,
      fullGcs: events.length - scavenges.length,
      scavengePauseP50Ms: percentile(pauses, 0.5),
      scavengePauseMaxMs: pauses.length > 0 ? Math.max(...pauses) : Number.NaN,
      allocatedPerRequestBytes: perRequest(sum((e) => e.allocatedBytes)),
      survivedPerRequestBytes: perRequest(sum((e) => e.survivedBytes)),
    };
  }
}
