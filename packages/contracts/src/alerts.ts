import { z } from 'zod';
import { RuleMetricSchema, RuleSeveritySchema } from './rules.ts';
import { IsoTimeSchema } from './time.ts';

export const ALERT_STATE_NAMES = ['ok', 'pending', 'firing', 'no_data'] as const;
export const AlertStateNameSchema = z.enum(ALERT_STATE_NAMES);
export type AlertStateName = z.infer<typeof AlertStateNameSchema>;

/** Concrete scope an alert is evaluated on (`*` when the rule aggregates over all). */
export const AlertScopeSchema = z.object({ target: z.string().min(1), model: z.string().min(1) });
export type AlertScope = z.infer<typeof AlertScopeSchema>;

/** Where one rule stands for one scope now. */
export const AlertStateSchema = z.object({
  ruleId: z.string().min(1),
  ruleName: z.string(),
  metric: RuleMetricSchema,
  severity: RuleSeveritySchema,
  scope: AlertScopeSchema,
  state: AlertStateNameSchema,
  /** The metric's value at the last evaluation; null when there was no data. */
  value: z.number().nullable(),
  threshold: z.number(),
  /** When the current state began. */
  since: IsoTimeSchema,
  /** Set while a silence mutes this alert's notifications: when the last matching silence ends. */
  silencedUntil: IsoTimeSchema.optional(),
});
export type AlertState = z.infer<typeof AlertStateSchema>;

/** One transition of an alert, stored and pushed on the WebSocket. */
export const AlertEventSchema = z.object({
  id: z.string().min(1),
  ruleId: z.string().min(1),
  ruleName: z.string(),
  metric: RuleMetricSchema,
  severity: RuleSeveritySchema,
  scope: AlertScopeSchema,
  from: AlertStateNameSchema,
  to: AlertStateNameSchema,
  value: z.number().nullable(),
  /** The threshold crossed: `recoverThreshold` (when set) on a resolution, `threshold` otherwise. */
  threshold: z.number(),
  at: IsoTimeSchema,
  /** On a resolution (firing -> ok): how long the alert was firing. */
  durationMs: z.number().int().nonnegative().optional(),
});
export type AlertEvent = z.infer<typeof AlertEventSchema>;
