import type {
  AlertNotification,
  AlertScope,
  DeliveryKind,
  Rule,
  RuleMetric,
  WebhookKind,
} from '@lookout/contracts';

/** What a notification says, before it is shaped for one kind of webhook. */
export interface NotificationFacts {
  readonly kind: DeliveryKind;
  readonly rule: Rule | null;
  readonly scope: AlertScope | null;
  readonly value: number | null;
  readonly threshold: number | null;
  readonly incidentSinceMs: number | null;
  /** Set on a resolution. */
  readonly resolvedAtMs: number | null;
  readonly eventId: string | null;
  readonly atMs: number;
  /** The dashboard's public address, without a trailing slash. */
  readonly publicUrl: string;
}

/** The request body for a webhook of `kind`. */
export function notificationBody(kind: WebhookKind, facts: NotificationFacts): string {
  const notification = toNotification(facts);
  return JSON.stringify(kind === 'slack' ? slackMessage(notification) : notification);
}

export function toNotification(f: NotificationFacts): AlertNotification {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const { rule, scope } = f;
  const status = f.kind === 'resolved' ? 'resolved' : 'firing';
  return {
    version: 1,
    kind: f.kind,
    status,
    summary: summary(f),
    rule: rule && {
      id: rule.id,
      name: rule.name,
      metric: rule.metric,
      severity: rule.severity,
      op: rule.op,
      threshold: rule.threshold,
      recoverThreshold: rule.recoverThreshold ?? null,
      window: rule.window,
      forSec: rule.forSec,
    },
    scope: scope && { target: scope.target, model: scope.model },
    value: f.value,
    threshold: f.threshold,
    startsAt: iso(f.incidentSinceMs),
    endsAt: iso(f.resolvedAtMs),
    durationMs:
      f.resolvedAtMs !== null && f.incidentSinceMs !== null
        ? Math.max(0, f.resolvedAtMs - f.incidentSinceMs)
        : null,
    eventId: f.eventId,
    at: new Date(f.atMs).toISOString(),
    dashboardUrl: dashboardLink(f.publicUrl, rule, scope),
  };
}

/** The dashboard opened on the alerts of `rule` (and scope). */
export function dashboardLink(publicUrl: string, rule: Rule | null, scope: AlertScope | null): string {
  if (!rule) return `${publicUrl}/#/alerts`;
  const query = new URLSearchParams({ rule: rule.id });
  if (scope) {
    query.set('target', scope.target);
    query.set('model', scope.model);
  }
  return `${publicUrl}/#/alerts?${query}`;
}

const LABEL: Readonly<Record<DeliveryKind, string>> = {
  firing: 'FIRING',
  repeat: 'STILL FIRING',
  resolved: 'RESOLVED',
  test: 'TEST',
};

function summary(f: NotificationFacts): string {
  const { rule, scope } = f;
  if (!rule) return '[TEST] Lookout test notification: this webhook is reachable';
  const where = scope ? ` on ${scopeText(scope)}` : '';
  const op = f.kind === 'resolved' ? (rule.op === '>' ? '<=' : '>=') : rule.op;
  const value = formatValue(rule.metric, f.value);
  const threshold = formatValue(rule.metric, f.threshold);
  return `[${LABEL[f.kind]}] ${rule.name}${where}: ${rule.metric} ${value} ${op} ${threshold} (${rule.severity})`;
}

function scopeText(scope: AlertScope): string {
  return scope.model === '*' ? scope.target : `${scope.target} / ${scope.model}`;
}

/** A value in the metric's unit, for people: `72.4 s`, `850 ms`, `12.5%`, `down`. */
export function formatValue(metric: RuleMetric, value: number | null): string {
  if (value === null) return 'no data';
  const round = (n: number) => String(Math.round(n * 10) / 10);
  if (metric.endsWith('_ms')) return value >= 1000 ? `${round(value / 1000)} s` : `${round(value)} ms`;
  switch (metric) {
    case 'error_rate':
      return `${round(value * 100)}%`;
    case 'target_down':
      return value >= 1 ? 'down' : value <= 0 ? 'up' : String(value);
    case 'tokens_per_sec_p50':
      return `${round(value)} tok/s`;
    default:
      return round(value);
  }
}

/** Slack (and Mattermost, Rocket.Chat, Discord's `/slack` endpoint) take `{"text": ...}` with mrkdwn links. */
function slackMessage(n: AlertNotification): { text: string } {
  const icon =
    n.kind === 'resolved' ? ':white_check_mark:' : n.kind === 'test' ? ':wave:' : ':rotating_light:';
  const lines = [`${icon} ${escapeSlack(n.summary)}`];
  if (n.durationMs !== null) lines.push(`Fired for ${formatDuration(n.durationMs)}.`);
  lines.push(`<${n.dashboardUrl}|Open in Lookout>`);
  return { text: lines.join('\n') };
}

/** Slack's three control characters in message text. */
function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function formatDuration(ms: number): string {
  const sec = Math.round(ms / 1000);
  if (sec < 120) return `${sec} s`;
  const min = Math.round(sec / 60);
  return min < 120 ? `${min} min` : `${Math.round((min / 60) * 10) / 10} h`;
}
