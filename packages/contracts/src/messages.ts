import { z } from 'zod';
import { AlertEventSchema, AlertStateSchema } from './alerts.ts';
import { OutcomeSchema } from './outcomes.ts';
import type { Snapshot } from './snapshot.ts';
import { SnapshotSchema } from './snapshot.ts';
import type { TargetState } from './stats.ts';
import { StatsSchema, TargetStateSchema } from './stats.ts';
import { TestPromptTimingsSchema } from './test-prompts.ts';
import { IsoTimeSchema } from './time.ts';

const seq = z.number().int().nonnegative();

/** The whole picture: the first message on `/ws`, and what a client that fell behind gets instead of a backlog. */
export const SnapshotMessageSchema = z.object({ type: z.literal('snapshot'), seq, data: SnapshotSchema });
export type SnapshotMessage = z.infer<typeof SnapshotMessageSchema>;

/**
 * What changed since the message `seq - 1`: the targets whose state changed, each sent whole and
 * replacing the client's copy by name; the names of targets that left; and the fleet and alert states,
 * always sent whole (they are small and change with nearly every call).
 *
 * Why whole targets rather than field patches: windows slide every 10 s and one call touches four
 * windows' counts and sketches, so a busy target changes almost every field each second and a patch
 * would save little while making every client a patch interpreter. Idle targets, the common case on a
 * large fleet, cost nothing. Apply with `applyDelta`; build with `diffSnapshots`.
 */
export const DeltaMessageSchema = z.object({
  type: z.literal('delta'),
  seq,
  at: IsoTimeSchema,
  targets: z.array(TargetStateSchema),
  removedTargets: z.array(z.string()),
  fleet: StatsSchema,
  alerts: z.array(AlertStateSchema),
});
export type DeltaMessage = z.infer<typeof DeltaMessageSchema>;

/** An alert changed state (the same event the store keeps and the webhooks get). */
export const AlertMessageSchema = z.object({ type: z.literal('alert'), event: AlertEventSchema });
export type AlertMessage = z.infer<typeof AlertMessageSchema>;

const runId = z.string().min(1);

/** A piece of generated text of a test prompt run. */
export const TestPromptTokenSchema = z.object({
  type: z.literal('test_prompt'),
  runId,
  event: z.literal('token'),
  text: z.string(),
});

/** A test prompt run completed, with its timing breakdown. */
export const TestPromptDoneSchema = z.object({
  type: z.literal('test_prompt'),
  runId,
  event: z.literal('done'),
  target: z.string(),
  timings: TestPromptTimingsSchema,
});

/** A test prompt run failed; `outcome` as the metrics count it, `code` the core's error code. */
export const TestPromptErrorSchema = z.object({
  type: z.literal('test_prompt'),
  runId,
  event: z.literal('error'),
  outcome: OutcomeSchema.exclude(['ok']),
  code: z.string().min(1),
  message: z.string(),
});

export const TestPromptMessageSchema = z.discriminatedUnion('event', [
  TestPromptTokenSchema,
  TestPromptDoneSchema,
  TestPromptErrorSchema,
]);
export type TestPromptMessage = z.infer<typeof TestPromptMessageSchema>;

/** Something the server could not do for this connection; `code` is stable, `message` for people. */
export const ErrorMessageSchema = z.object({
  type: z.literal('error'),
  code: z.string().min(1),
  message: z.string(),
});
export type ErrorMessage = z.infer<typeof ErrorMessageSchema>;

/** Every message the server sends on `/ws`, told apart by `type`. */
export const ServerMessageSchema = z.discriminatedUnion('type', [
  SnapshotMessageSchema,
  DeltaMessageSchema,
  AlertMessageSchema,
  TestPromptMessageSchema,
  ErrorMessageSchema,
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** The body of a delta: what `next` changed from `prev` (targets compared by their JSON). */
export function diffSnapshots(prev: Snapshot, next: Snapshot): Omit<DeltaMessage, 'type' | 'seq'> {
  const before = new Map(prev.targets.map((t) => [t.name, JSON.stringify(t)]));
  const targets: TargetState[] = [];
  for (const target of next.targets) {
    if (before.get(target.name) !== JSON.stringify(target)) targets.push(target);
  }
  const present = new Set(next.targets.map((t) => t.name));
  const removedTargets = prev.targets.filter((t) => !present.has(t.name)).map((t) => t.name);
  return { at: next.at, targets, removedTargets, fleet: next.fleet, alerts: next.alerts };
}

/**
 * The snapshot after `delta`; `snapshot` is not changed. Changed targets keep their place, new ones
 * come last, in the delta's order.
 */
export function applyDelta(snapshot: Snapshot, delta: Omit<DeltaMessage, 'type' | 'seq'>): Snapshot {
  const changed = new Map(delta.targets.map((t) => [t.name, t]));
  const removed = new Set(delta.removedTargets);
  const targets: TargetState[] = [];
  for (const target of snapshot.targets) {
    if (removed.has(target.name)) continue;
    const replacement = changed.get(target.name);
    targets.push(replacement ?? target);
    changed.delete(target.name);
  }
  for (const added of changed.values()) targets.push(added);
  return { at: delta.at, targets, fleet: delta.fleet, alerts: delta.alerts };
}
