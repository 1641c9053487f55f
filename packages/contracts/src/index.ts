/**
 * The wire contracts of Lookout as zod schemas, shared by the server and the web app: the snapshot,
 * the WebSocket messages, alert rules and states, the history API, and the REST error body.
 * Browser-safe: imports zod only.
 */

export type {
  AlertEventPage,
  AlertEventQuery,
  DeliveryPage,
  DeliveryQuery,
} from './alert-api.ts';
export {
  AlertEventPageSchema,
  AlertEventQuerySchema,
  AlertStateListSchema,
  DeliveryPageSchema,
  DeliveryQuerySchema,
  DeliveryResponseSchema,
  MAX_PAGE_SIZE,
  RuleListSchema,
  RuleResponseSchema,
  SilenceListSchema,
  SilenceResponseSchema,
  WebhookListSchema,
  WebhookResponseSchema,
} from './alert-api.ts';
export type { AlertEvent, AlertScope, AlertState, AlertStateName } from './alerts.ts';
export {
  ALERT_STATE_NAMES,
  AlertEventSchema,
  AlertScopeSchema,
  AlertStateNameSchema,
  AlertStateSchema,
} from './alerts.ts';
export type { ApiError, Validated } from './errors.ts';
export { ApiErrorSchema, fieldErrors, validate } from './errors.ts';
export type {
  HistoryMetric,
  HistoryOutcomeMetric,
  HistoryPoint,
  HistoryQuery,
  HistoryRange,
  HistoryResponse,
  HistorySource,
} from './history.ts';
export {
  CLIENT_SIDE_OUTCOMES,
  HISTORY_BASE_METRICS,
  HISTORY_METRICS,
  HISTORY_RANGE_MS,
  HISTORY_RANGES,
  HISTORY_SOURCES,
  HISTORY_STEP_MS,
  HistoryMetricSchema,
  HistoryPointSchema,
  HistoryQuerySchema,
  HistoryRangeSchema,
  HistoryResponseSchema,
  HistorySourceSchema,
} from './history.ts';
export type {
  AlertMessage,
  DeltaMessage,
  ErrorMessage,
  ServerMessage,
  SnapshotMessage,
  TestPromptMessage,
} from './messages.ts';
export {
  AlertMessageSchema,
  applyDelta,
  DeltaMessageSchema,
  diffSnapshots,
  ErrorMessageSchema,
  ServerMessageSchema,
  SnapshotMessageSchema,
  TestPromptDoneSchema,
  TestPromptErrorSchema,
  TestPromptMessageSchema,
  TestPromptTokenSchema,
} from './messages.ts';
export type { Outcome } from './outcomes.ts';
export { OUTCOMES, OutcomeSchema, TIMEOUT_OUTCOMES } from './outcomes.ts';
export type {
  Rule,
  RuleDraft,
  RuleDraftInput,
  RuleMetric,
  RuleOp,
  RuleScope,
  RuleSeverity,
} from './rules.ts';
export {
  MAX_FOR_SEC,
  RULE_METRICS,
  RULE_OPS,
  RULE_SEVERITIES,
  RuleDraftSchema,
  RuleMetricSchema,
  RuleOpSchema,
  RuleSchema,
  RuleScopeSchema,
  RuleSeveritySchema,
} from './rules.ts';
export type { Silence, SilenceDraft, SilenceDraftInput, SilenceScope } from './silences.ts';
export { SilenceDraftSchema, SilenceSchema, SilenceScopeSchema } from './silences.ts';
export type { Snapshot } from './snapshot.ts';
export { SnapshotSchema } from './snapshot.ts';
export type {
  ConcurrencyChange,
  ConcurrencyMode,
  LoadedModel,
  ProbeError,
  Quantiles,
  Stats,
  TargetConcurrency,
  TargetHealth,
  TargetState,
  Window,
  WindowName,
} from './stats.ts';
export {
  ConcurrencyChangeSchema,
  ConcurrencyModeSchema,
  LoadedModelSchema,
  ProbeErrorSchema,
  QuantilesSchema,
  StatsSchema,
  TargetConcurrencySchema,
  TargetHealthSchema,
  TargetStateSchema,
  WINDOW_NAMES,
  WindowNameSchema,
  WindowSchema,
} from './stats.ts';
export type {
  TestPromptRequest,
  TestPromptRequestInput,
  TestPromptRun,
  TestPromptRunList,
  TestPromptTimings,
} from './test-prompts.ts';
export {
  TestPromptRequestSchema,
  TestPromptRunListSchema,
  TestPromptRunSchema,
  TestPromptTimingsSchema,
} from './test-prompts.ts';
export { IsoTimeSchema } from './time.ts';
export type {
  AlertNotification,
  Delivery,
  DeliveryKind,
  DeliveryStatus,
  Webhook,
  WebhookDraft,
  WebhookDraftInput,
  WebhookKind,
  WebhookSource,
} from './webhooks.ts';
export {
  AlertNotificationSchema,
  DELIVERY_KINDS,
  DELIVERY_STATUSES,
  DeliveryKindSchema,
  DeliverySchema,
  DeliveryStatusSchema,
  WEBHOOK_KINDS,
  WebhookDraftSchema,
  WebhookHeadersSchema,
  WebhookKindSchema,
  WebhookSchema,
  WebhookSourceSchema,
  WebhookUrlSchema,
} from './webhooks.ts';
