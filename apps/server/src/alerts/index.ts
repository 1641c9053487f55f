/**
 * Alerts: rules over the metrics snapshot, a state machine per rule and scope (ok, pending, firing,
 * no_data) that survives restarts, stored transitions pushed on the WebSocket, webhook notifications
 * with retries and repeats, and silences. The REST API is `createAlertsApi` in `admin/alert-routes.ts`.
 */

export type { DeliveryUpdate, NewDelivery, OpenDelivery } from './delivery-table.ts';
export { DeliveryTable } from './delivery-table.ts';
export type { AlertEvaluatorOptions } from './evaluator.ts';
export { AlertEvaluator, breaches, recovered } from './evaluator.ts';
export type { NewAlertEvent } from './event-table.ts';
export { AlertEventTable } from './event-table.ts';
export type { MetricReading, ScopedReading } from './metric-values.ts';
export { INSTANT_METRICS, readMetric, readRule } from './metric-values.ts';
export type { WebhookNotifierOptions } from './notifier.ts';
export { WebhookNotifier } from './notifier.ts';
export type { Page, PagePlan } from './pages.ts';
export { planPages } from './pages.ts';
export type { NotificationFacts } from './payload.ts';
export { dashboardLink, formatValue, notificationBody, toNotification } from './payload.ts';
export type { RuleContext } from './rule-checks.ts';
export { checkRuleContext } from './rule-checks.ts';
export type { CorruptRule } from './rule-table.ts';
export { RuleTable } from './rule-table.ts';
export { SEEDED_RULES } from './seed.ts';
export type { AlertServiceOptions } from './service.ts';
export { AlertService } from './service.ts';
export type { ActiveSilence } from './silence-table.ts';
export { SilenceTable, silencedUntil } from './silence-table.ts';
export { AlertStateTable } from './state-table.ts';
export { createAlertTables } from './tables.ts';
export type { AlertRecord, AlertTransition } from './types.ts';
export { alertKey } from './types.ts';
export type { AttemptResult } from './webhook-post.ts';
export { postWebhook, redact } from './webhook-post.ts';
export type { ConfiguredWebhook, WebhookTarget } from './webhook-table.ts';
export { WebhookDirectory, WebhookTable } from './webhook-table.ts';
