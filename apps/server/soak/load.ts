/**
 * The closed-loop load: `concurrency` clients, each making one call after another until the deadline,
 * tallying the outcome each call's response stands for and setting it beside the server's verdict.
 */
import { Agent } from 'node:http';
import { OUTCOMES, type Outcome } from '@lookout/client-core';
import { type Classified, classifyCall } from './classify.ts';
import { type ClientView, runClientCall } from './client-call.ts';
import type { CallPlan, CallPlanner } from './plan.ts';
import type { SeededRandom } from './rng.ts';
import type { CallTap, ServerVerdict } from './tap.ts';

export type TallyOutcome = Outcome | 'unclassified';

/** One call whose client-side outcome differs from the server's, with what both sides saw. */
export interface CallDifference {
  tag: number;
  plan: Pick<CallPlan, 'role' | 'endpoint' | 'stream' | 'abort' | 'headers'>;
  client: TallyOutcome | 'ambiguous';
  server: Outcome | 'no verdict';
  serverCode: string | undefined;
  serverMessage: string | undefined;
  view: Omit<ClientView, 'last' | 'trailing'> & { last: string; trailing: string };
}

export interface LoadTally {
  calls: number;
  /** Calls by the outcome their client's view stands for, ambiguous ones apart. */
  byOutcome: Record<TallyOutcome, number>;
  /**
   * Calls whose view fits several outcomes (a one-piece body cut after its headers): how many, and
   * the outcome the server gave each (read from the tap; each must be one of the candidates).
   */
  ambiguous: { calls: number; candidates: Outcome[]; serverSaid: Partial<Record<Outcome, number>> };
  notes: Record<string, number>;
  byRole: Record<string, number>;
  byEndpoint: Record<string, number>;
  aborts: { beforeHeaders: number; midStream: number; plannedNotDone: number };
  /** Calls whose server verdict differed from the client's classification. */
  differences: number;
  /** Calls with no server verdict within the grace after the client finished. */
  withoutVerdict: number;
  /** The first few differences and calls without a verdict, in full. */
  examples: CallDifference[];
  /** Slowest call, client side. */
  maxCallMs: number;
}

export interface LoadOptions {
  relayUrl: string;
  planner: CallPlanner;
  tap: CallTap;
  concurrency: number;
  durationMs: number;
  /** Seeds the clients' pauses between calls. */
  random: SeededRandom;
  stuckAfterMs: number;
  /** Called after every call (progress lines). */
  onCall?: (tally: LoadTally) => void;
}

const MAX_EXAMPLES = 25;
/**
 * Pause after a call Lookout turned away busy (503), as a client honouring Retry-After would, only
 * shorter; without it a full queue answers in a millisecond and the closed loop spins on refusals.
 */
const BUSY_PAUSE_MS = { min: 100, max: 400 } as const;
/** Pause between other calls. */
const THINK_MS = { min: 0, max: 20 } as const;
/** How long a finished call waits for the server's terminal event (a client abort reaches it a moment later). */
const VERDICT_GRACE_MS = 3_000;
const EXAMPLE_TEXT_CHARS = 600;

export function emptyTally(): LoadTally {
  const byOutcome = Object.fromEntries([...OUTCOMES, 'unclassified'].map((o) => [o, 0])) as Record<
    TallyOutcome,
    number
  >;
  return {
    calls: 0,
    byOutcome,
    ambiguous: { calls: 0, candidates: [], serverSaid: {} },
    notes: {},
    byRole: {},
    byEndpoint: {},
    aborts: { beforeHeaders: 0, midStream: 0, plannedNotDone: 0 },
    differences: 0,
    withoutVerdict: 0,
    examples: [],
    maxCallMs: 0,
  };
}

/** Runs the load until `durationMs` has passed and every call in progress has ended. */
export async function runLoad(options: LoadOptions): Promise<LoadTally> {
  const tally = emptyTally();
  const agent = new Agent({ keepAlive: true });
  const deadline = performance.now() + options.durationMs;
  const context = { relayUrl: options.relayUrl, agent, tap: options.tap, stuckAfterMs: options.stuckAfterMs };
  const call = async (plan: CallPlan): Promise<void> => {
    options.tap.expect(plan.tag);
    const view = await runClientCall(plan, context);
    const classified = classifyCall(plan, view);
    count(tally, plan, view, classified);
    const verdict = await waitForVerdict(options.tap, plan.tag);
    const agrees =
      verdict !== undefined &&
      (classified.outcome === 'ambiguous'
        ? (classified.candidates ?? []).includes(verdict.outcome)
        : verdict.outcome === classified.outcome);
    if (verdict && classified.outcome === 'ambiguous') {
      const said = tally.ambiguous.serverSaid;
      said[verdict.outcome] = (said[verdict.outcome] ?? 0) + 1;
    }
    if (!agrees) {
      if (verdict) tally.differences++;
      else tally.withoutVerdict++;
      if (tally.examples.length < MAX_EXAMPLES)
        tally.examples.push(example(plan, view, classified.outcome, verdict));
    }
    // A call without a verdict stays registered: an event that comes later is counted by the tap.
    if (verdict) options.tap.forget(plan.tag);
    options.onCall?.(tally);
    const pause = view.status === 503 ? BUSY_PAUSE_MS : THINK_MS;
    await sleep(options.random.int(pause.min, pause.max));
  };
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) await Promise.all(options.planner.nextTurn().map(call));
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return tally;
}

function count(tally: LoadTally, plan: CallPlan, view: ClientView, classified: Classified): void {
  const { outcome, note } = classified;
  tally.calls++;
  if (outcome === 'ambiguous') {
    tally.ambiguous.calls++;
    for (const candidate of classified.candidates ?? []) {
      if (!tally.ambiguous.candidates.includes(candidate)) tally.ambiguous.candidates.push(candidate);
    }
  } else tally.byOutcome[outcome]++;
  if (note !== undefined) tally.notes[note] = (tally.notes[note] ?? 0) + 1;
  tally.byRole[plan.role] = (tally.byRole[plan.role] ?? 0) + 1;
  const endpoint = `${plan.endpoint}${plan.stream ? ' stream' : ''}`;
  tally.byEndpoint[endpoint] = (tally.byEndpoint[endpoint] ?? 0) + 1;
  if (view.abortPhase === 'before_headers') tally.aborts.beforeHeaders++;
  else if (view.abortPhase === 'mid_stream') tally.aborts.midStream++;
  else if (plan.abort.kind !== 'none') tally.aborts.plannedNotDone++;
  if (view.durationMs > tally.maxCallMs) tally.maxCallMs = view.durationMs;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForVerdict(tap: CallTap, tag: number): Promise<ServerVerdict | undefined> {
  const until = performance.now() + VERDICT_GRACE_MS;
  for (;;) {
    const verdict = tap.verdict(tag);
    if (verdict || performance.now() > until) return verdict;
    await sleep(5);
  }
}

function example(
  plan: CallPlan,
  view: ClientView,
  client: TallyOutcome | 'ambiguous',
  verdict: ServerVerdict | undefined,
): CallDifference {
  return {
    tag: plan.tag,
    plan: {
      role: plan.role,
      endpoint: plan.endpoint,
      stream: plan.stream,
      abort: plan.abort,
      headers: plan.headers,
    },
    client,
    server: verdict?.outcome ?? 'no verdict',
    serverCode: verdict?.code,
    serverMessage: verdict?.message,
    view: {
      ...view,
      last: view.last.slice(-EXAMPLE_TEXT_CHARS),
      trailing: view.trailing.slice(-EXAMPLE_TEXT_CHARS),
    },
  };
}
