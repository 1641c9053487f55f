import { z } from 'zod';
import { AlertScopeSchema } from './alerts.ts';
import { shown } from './errors.ts';
import { isHttpUrl, RuleMetricSchema, RuleOpSchema, RuleSeveritySchema } from './rules.ts';
import { WindowNameSchema } from './stats.ts';
import { IsoTimeSchema } from './time.ts';

/** `json`: the `AlertNotification` body below; `slack`: `{"text": ...}` for Slack-compatible incoming webhooks. */
export const WEBHOOK_KINDS = ['json', 'slack'] as const;
export const WebhookKindSchema = z.enum(WEBHOOK_KINDS, {
  error: (issue) =>
    `kind must be one of "json", "slack"; ${issue.input === undefined ? 'it is missing' : `got ${shown(issue.input)}`}`,
});
export type WebhookKind = z.infer<typeof WebhookKindSchema>;

/** Where a webhook is defined: `lookout.yaml` (read-only over the API) or the dashboard. */
export const WebhookSourceSchema = z.enum(['config', 'ui']);
export type WebhookSource = z.infer<typeof WebhookSourceSchema>;

export const WebhookUrlSchema = z
  .string({ error: 'url must be a string' })
  .max(2048, { error: 'url must be at most 2048 characters' })
  .refine(isHttpUrl, { error: (issue) => `url must be an http(s) URL; got ${shown(issue.input)}` });

/** Extra request headers (e.g. `Authorization`): HTTP token names, values without line breaks. */
export const WebhookHeadersSchema = z
  .record(
    z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/),
    z
      .string({ error: 'header values must be strings' })
      .max(4096, { error: 'header values must be at most 4096 characters' })
      .refine((v) => !/[\r\n\0]/.test(v), { error: 'header values must not contain line breaks' }),
    {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? "header names must be HTTP tokens (letters, digits and !#$%&'*+.^_`|~-)"
          : 'headers must be an object of name -> value',
    },
  )
  .refine((h) => Object.keys(h).length <= 20, { error: 'at most 20 headers' })
  .refine((h) => !Object.keys(h).some((k) => k.toLowerCase() === 'content-type'), {
    error: 'content-type is set by Lookout (application/json)',
  });

/** A webhook as the dashboard creates or replaces it (`POST /api/webhooks`, `PUT /api/webhooks/:id`). */
export const WebhookDraftSchema = z.strictObject(
  {
    name: z
      .string({ error: 'name must be a string' })
      .trim()
      .min(1, { error: 'name must not be empty' })
      .max(200, { error: 'name must be at most 200 characters' }),
    url: WebhookUrlSchema,
    kind: WebhookKindSchema.default('json'),
    headers: WebhookHeadersSchema.default({}),
  },
  {
    error: (issue: { code?: string; keys?: readonly string[] }) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')} in webhook`
        : 'webhook must be an object',
  },
);
export type WebhookDraftInput = z.input<typeof WebhookDraftSchema>;
export type WebhookDraft = z.infer<typeof WebhookDraftSchema>;

export const DELIVERY_KINDS = ['firing', 'repeat', 'resolved', 'test'] as const;
export const DeliveryKindSchema = z.enum(DELIVERY_KINDS);
export type DeliveryKind = z.infer<typeof DeliveryKindSchema>;

/** `queued` -> (`retrying` ->)* `delivered` | `failed`; queued and retrying ones resume after a restart. */
export const DELIVERY_STATUSES = ['queued', 'retrying', 'delivered', 'failed'] as const;
export const DeliveryStatusSchema = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

/** One notification to one webhook, with what happened to it. */
export const DeliverySchema = z.object({
  id: z.string().min(1),
  webhookId: z.string().min(1),
  kind: DeliveryKindSchema,
  status: DeliveryStatusSchema,
  attempts: z.number().int().nonnegative(),
  /** HTTP status of the last attempt; null when it got no response. */
  lastHttpStatus: z.number().int().nullable(),
  /** Why the last attempt failed: `http_status`, `timeout`, `network_error`, `webhook_removed`, `queue_full`. */
  lastError: z.object({ code: z.string().min(1), message: z.string() }).nullable(),
  eventId: z.string().nullable(),
  ruleId: z.string().nullable(),
  scope: AlertScopeSchema.nullable(),
  createdAt: IsoTimeSchema,
  updatedAt: IsoTimeSchema,
  nextAttemptAt: IsoTimeSchema.nullable(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

/** A webhook as the API lists it, with its last delivery so the dashboard can show failures. */
export const WebhookSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  url: z.string(),
  kind: WebhookKindSchema,
  headers: z.record(z.string(), z.string()),
  source: WebhookSourceSchema,
  lastDelivery: DeliverySchema.nullable(),
});
export type Webhook = z.infer<typeof WebhookSchema>;

/**
 * The body of a `json` webhook. `kind`: `firing` (first page of an alert), `repeat` (still firing
 * after the repeat interval), `resolved`, or `test` (from "send test"; `rule` and `scope` null).
 */
export const AlertNotificationSchema = z.object({
  version: z.literal(1),
  kind: DeliveryKindSchema,
  status: z.enum(['firing', 'resolved']),
  /** One line for people, e.g. `[FIRING] p99 latency over 60 s on gpu-1: 72.4 s > 60 s`. */
  summary: z.string(),
  rule: z
    .object({
      id: z.string(),
      name: z.string(),
      metric: RuleMetricSchema,
      severity: RuleSeveritySchema,
      op: RuleOpSchema,
      threshold: z.number(),
      recoverThreshold: z.number().nullable(),
      window: WindowNameSchema,
      forSec: z.number(),
    })
    .nullable(),
  scope: AlertScopeSchema.nullable(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  /** When the alert began firing. */
  startsAt: IsoTimeSchema.nullable(),
  /** When it resolved (resolved only). */
  endsAt: IsoTimeSchema.nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
  /** The stored transition this message is about; null for repeats and tests. */
  eventId: z.string().nullable(),
  /** When the message was made. */
  at: IsoTimeSchema,
  /** The dashboard, opened on this alert. */
  dashboardUrl: z.string(),
});
export type AlertNotification = z.infer<typeof AlertNotificationSchema>;
