import type { ConcurrencyChange, ConcurrencyMode, Snapshot, TargetConcurrency } from '@lookout/contracts';

/** What each mode means, for a tooltip or a sentence. */
export const MODE_HELP: Record<ConcurrencyMode, string> = {
  static: 'set by the configuration',
  adaptive: 'learned from how long calls wait inside the target',
  pinned: 'held by hand until unpinned',
};

/** What moved the limit, for people; the server's reason word stays on the element. */
const REASON_TEXT: Record<string, string> = {
  initial: 'start',
  slow_start: 'doubled (no wait inside the target yet)',
  grow: 'one more after clean rounds',
  waiting: 'calls waited inside the target',
  overload: 'overload',
  reset: 'relearning',
  pinned: 'pinned by hand',
  unpinned: 'unpinned',
};

/**
 * `overload: timeout_first_byte` -> `overload (timeout first byte)`; `reset: target back up` ->
 * `relearning (target back up)`; an unknown reason is shown as sent.
 */
export function reasonText(reason: string): string {
  const colon = reason.indexOf(':');
  const word = colon === -1 ? reason : reason.slice(0, colon);
  const detail = colon === -1 ? '' : reason.slice(colon + 1).trim();
  const text = REASON_TEXT[word] ?? word.replaceAll('_', ' ');
  return detail ? `${text} (${detail.replaceAll('_', ' ')})` : text;
}

/** The changes newest first, as the panel lists them. */
export function newestFirst(changes: readonly ConcurrencyChange[]): ConcurrencyChange[] {
  return [...changes].reverse();
}

/** What unpinning leads to, from what the server keeps while pinned (adaptive bounds, or none). */
export function unpinOutcome(concurrency: TargetConcurrency): string {
  if (concurrency.minLimit !== undefined && concurrency.maxLimit !== undefined) {
    return `Unpinning lets the limit learn again from ${concurrency.limit}, between ${concurrency.minLimit} and ${concurrency.maxLimit}.`;
  }
  return 'Unpinning goes back to the configured limit.';
}

/** The snapshot with one target's limit replaced by what the server answered to a pin or unpin. */
export function withConcurrency(
  snapshot: Snapshot,
  target: string,
  concurrency: TargetConcurrency,
): Snapshot {
  return {
    ...snapshot,
    targets: snapshot.targets.map((t) =>
      t.name === target ? { ...t, concurrency, maxConcurrent: concurrency.limit } : t,
    ),
  };
}
