import { z } from 'zod';
import { AlertEventSchema, AlertStateNameSchema, AlertStateSchema } from './alerts.ts';
import { shown } from './errors.ts';
import { RuleSchema, RuleSeveritySchema } from './rules.ts';
import { SilenceSchema } from './silences.ts';
import { DeliverySchema, DeliveryStatusSchema, WebhookSchema } from './webhooks.ts';

const got = (input: unknown) => (input === undefined ? 'it is missing' : `got ${shown(input)}`);

export const MAX_PAGE_SIZE = 500;

const pageLimit = z
  .string()
  .regex(/^\d+$/, { error: (issue) => `limit must be a whole number; ${got(issue.input)}` })
  .transform(Number)
  .pipe(
    z
      .number()
      .min(1, { error: 'limit must be >= 1' })
      .max(MAX_PAGE_SIZE, { error: `limit must be <= ${MAX_PAGE_SIZE}` }),
  );

const cursor = z.string().regex(/^[1-9]\d{0,15}$/, {
  error: (issue) => `before must be an id from a previous page; ${got(issue.input)}`,
});

const name = (field: string) =>
  z
    .string()
    .min(1, { error: `${field} must not be empty` })
    .max(200, { error: `${field} must be at most 200 characters` });

function unknownParameters(keys: readonly string[], expected: string): string {
  return `unknown parameter${keys.length === 1 ? '' : 's'} ${keys.join(', ')}; expected ${expected}`;
}

/**
 * The query of `GET /api/alerts` (events, newest first). `before`: the `nextBefore` of the previous
 * page; `state`: the state the alert moved to.
 */
export const AlertEventQuerySchema = z.strictObject(
  {
    limit: pageLimit.default(100),
    before: cursor.optional(),
    rule: name('rule').optional(),
    target: name('target').optional(),
    model: name('model').optional(),
    state: z
      .enum(AlertStateNameSchema.options, {
        error: (issue) => `state must be one of ok, pending, firing, no_data; ${got(issue.input)}`,
      })
      .optional(),
    severity: z
      .enum(RuleSeveritySchema.options, {
        error: (issue) => `severity must be one of warning, critical; ${got(issue.input)}`,
      })
      .optional(),
  },
  {
    error: (issue: { code?: string; keys?: readonly string[] }) =>
      unknownParameters(issue.keys ?? [], 'limit, before, rule, target, model, state, severity'),
  },
);
export type AlertEventQuery = z.infer<typeof AlertEventQuerySchema>;

/** A page of `GET /api/alerts`; `nextBefore` is null on the last page. */
export const AlertEventPageSchema = z.object({
  events: z.array(AlertEventSchema),
  nextBefore: z.string().nullable(),
});
export type AlertEventPage = z.infer<typeof AlertEventPageSchema>;

/** The query of `GET /api/deliveries` (newest first). */
export const DeliveryQuerySchema = z.strictObject(
  {
    limit: pageLimit.default(100),
    before: cursor.optional(),
    webhook: name('webhook').optional(),
    status: z
      .enum(DeliveryStatusSchema.options, {
        error: (issue) => `status must be one of queued, retrying, delivered, failed; ${got(issue.input)}`,
      })
      .optional(),
  },
  {
    error: (issue: { code?: string; keys?: readonly string[] }) =>
      unknownParameters(issue.keys ?? [], 'limit, before, webhook, status'),
  },
);
export type DeliveryQuery = z.infer<typeof DeliveryQuerySchema>;

export const DeliveryPageSchema = z.object({
  deliveries: z.array(DeliverySchema),
  nextBefore: z.string().nullable(),
});
export type DeliveryPage = z.infer<typeof DeliveryPageSchema>;

/** Response bodies of the alert API, for clients that parse them. */
export const RuleListSchema = z.object({ rules: z.array(RuleSchema) });
export const RuleResponseSchema = z.object({ rule: RuleSchema });
export const AlertStateListSchema = z.object({ states: z.array(AlertStateSchema) });
export const WebhookListSchema = z.object({ webhooks: z.array(WebhookSchema) });
export const WebhookResponseSchema = z.object({ webhook: WebhookSchema });
export const DeliveryResponseSchema = z.object({ delivery: DeliverySchema });
export const SilenceListSchema = z.object({ silences: z.array(SilenceSchema) });
export const SilenceResponseSchema = z.object({ silence: SilenceSchema });
