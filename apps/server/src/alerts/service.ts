import type { AlertEvent, AlertMessage, AlertState } from '@lookout/contracts';
import type Database from 'better-sqlite3';
import type { Logger } from '../log.ts';
import type { MetricsReader } from '../metrics/index.ts';
import { DeliveryTable } from './delivery-table.ts';
import { AlertEvaluator } from './evaluator.ts';
import type { NewAlertEvent } from './event-table.ts';
import { AlertEventTable } from './event-table.ts';
import type { WebhookNotifierOptions } from './notifier.ts';
import { WebhookNotifier } from './notifier.ts';
import type { Page } from './pages.ts';
import { planPages } from './pages.ts';
import { notificationBody } from './payload.ts';
import { RuleTable } from './rule-table.ts';
import type { ActiveSilence } from './silence-table.ts';
import { SilenceTable, silencedUntil } from './silence-table.ts';
import { AlertStateTable } from './state-table.ts';
import type { AlertRecord, AlertTransition } from './types.ts';
import type { ConfiguredWebhook } from './webhook-table.ts';
import { WebhookDirectory, WebhookTable } from './webhook-table.ts';

export interface AlertServiceOptions {
  /** The store's database (`openStore(dataDir).db`), migrated with the alert tables. */
  readonly db: Database.Database;
  readonly metrics: Pick<MetricsReader, 'buildSnapshot'>;
  readonly log: Logger;
  /** Sends an alert transition on the WebSocket (`LiveHub.broadcast`). */
  readonly broadcast?: (message: AlertMessage) => void;
  /** Webhooks of `lookout.yaml`. */
  readonly webhooks?: readonly ConfiguredWebhook[];
  /** The dashboard's public address, for links in notifications (read when a notification is made). */
  readonly publicUrl: () => string;
  /** Wall-clock epoch milliseconds (default `Date.now`); tests pass a fake clock. */
  readonly now?: () => number;
  /** Evaluation period (default 5000). */
  readonly intervalMs?: number;
  /** A still-firing alert is paged again after this long (default 4 hours, as Alertmanager). */
  readonly repeatIntervalMs?: number;
  /** Delivery settings (fetch, retries, timeouts) for the webhook notifier. */
  readonly delivery?: Omit<WebhookNotifierOptions, 'deliveries' | 'resolveWebhook' | 'log' | 'now'>;
  /** Newest events kept (default 50 000) and finished deliveries kept (default 10 000). */
  readonly keepEvents?: number;
  readonly keepDeliveries?: number;
}

const HOUR_MS = 3_600_000;
/** Expired silences stay listed this long. */
const SILENCE_HISTORY_MS = 7 * 24 * HOUR_MS;

/**
 * Alerts for one process: evaluates the rules on a fresh metrics snapshot every `intervalMs`, stores
 * states and transitions, pushes transitions on the WebSocket and hands pages to the webhook notifier.
 * An evaluation is synchronous and never waits for a webhook; a failing one is logged and the next
 * runs as usual.
 */
export class AlertService {
  readonly rules: RuleTable;
  readonly events: AlertEventTable;
  readonly silences: SilenceTable;
  readonly webhooks: WebhookDirectory;
  readonly deliveries: DeliveryTable;
  readonly notifier: WebhookNotifier;
  /** Since start, for tests and `/metrics`. */
  readonly counters = { evaluations: 0, evaluationErrors: 0, events: 0, pages: 0 };
  private readonly states: AlertStateTable;
  private readonly evaluator: AlertEvaluator;
  private readonly now: () => number;
  private readonly repeatIntervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private activeSilences: ActiveSilence[] | undefined;
  private targetNames: readonly string[] | undefined;
  private lastPruneMs = Number.NEGATIVE_INFINITY;
  private unsaved = 0;

  constructor(private readonly options: AlertServiceOptions) {
    const { db, log } = options;
    this.now = options.now ?? Date.now;
    this.repeatIntervalMs = options.repeatIntervalMs ?? 4 * HOUR_MS;
    this.rules = new RuleTable(db);
    this.events = new AlertEventTable(db);
    this.silences = new SilenceTable(db);
    this.states = new AlertStateTable(db);
    this.webhooks = new WebhookDirectory(new WebhookTable(db), options.webhooks ?? []);
    this.deliveries = new DeliveryTable(db, this.now);
    this.notifier = new WebhookNotifier({
      ...options.delivery,
      deliveries: this.deliveries,
      resolveWebhook: (id) => this.webhooks.get(id),
      log,
      now: this.now,
    });
    const records = this.states.load((message) => log.error(message));
    this.evaluator = new AlertEvaluator({ startedAtMs: this.now(), records });
    this.reloadRules();
  }

  /** Resumes unfinished deliveries, evaluates once, then every `intervalMs`. */
  start(): void {
    if (this.timer) return;
    const resumed = this.notifier.resume();
    if (resumed > 0) this.options.log.info({ deliveries: resumed }, 'resuming webhook deliveries');
    this.evaluateNow();
    this.timer = setInterval(() => this.evaluateNow(), this.options.intervalMs ?? 5_000);
    this.timer.unref();
  }

  /** Stops evaluating; deliveries not made yet stay queued in the store for the next start. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.notifier.stop();
  }

  /** One evaluation now; returns the events it produced (already stored, pushed and paged). Never throws. */
  evaluateNow(): AlertEvent[] {
    const nowMs = this.now();
    this.counters.evaluations++;
    try {
      const snapshot = this.options.metrics.buildSnapshot();
      this.targetNames = snapshot.targets.map((t) => t.name);
      const transitions = this.evaluator.evaluate(snapshot, nowMs);
      const records = this.evaluator.list();
      const silences = this.loadSilences(nowMs);
      const pages = planPages(transitions, records, {
        nowMs,
        repeatIntervalMs: this.repeatIntervalMs,
        silencedUntil: (r) => silencedUntil(silences, r.ruleId, r.scope, nowMs),
      });
      const events = this.persist(transitions, records);
      for (const event of events.values()) this.broadcast(event);
      for (const page of pages) this.send(page, page.transition && events.get(page.transition), nowMs);
      this.prune(nowMs);
      return [...events.values()];
    } catch (error) {
      this.counters.evaluationErrors++;
      this.options.log.error({ err: error }, 'alert evaluation failed');
      return [];
    }
  }

  /** Every alert now, for `GET /api/alerts/states`, the snapshot and the WebSocket. */
  currentStates(): AlertState[] {
    const nowMs = this.now();
    const silences = this.activeSilences ?? [];
    return this.evaluator.list().map((r) => {
      const state: AlertState = {
        ruleId: r.ruleId,
        ruleName: r.rule.name,
        metric: r.rule.metric,
        severity: r.rule.severity,
        scope: { target: r.scope.target, model: r.scope.model },
        state: r.state,
        value: r.value,
        threshold: r.rule.threshold,
        since: new Date(r.sinceMs).toISOString(),
      };
      const until = silencedUntil(silences, r.ruleId, r.scope, nowMs);
      if (until !== undefined) state.silencedUntil = new Date(until).toISOString();
      return state;
    });
  }

  /** After rules were written: evaluate with the new ones at once (so the dashboard sees their states). */
  rulesChanged(): void {
    this.reloadRules();
    this.evaluateNow();
  }

  /** After silences were written. */
  silencesChanged(): void {
    this.loadSilences(this.now());
  }

  /** The configured targets as of the last evaluation. */
  knownTargets(): readonly string[] {
    this.targetNames ??= this.options.metrics.buildSnapshot().targets.map((t) => t.name);
    return this.targetNames;
  }

  /** Now on the service's clock (wall-clock epoch ms). */
  nowMs(): number {
    return this.now();
  }

  get log(): Logger {
    return this.options.log;
  }

  /** The dashboard's public address. */
  publicUrl(): string {
    return this.options.publicUrl();
  }

  private reloadRules(): void {
    const rules = this.rules.list((corrupt) => this.options.log.error({ rule: corrupt.id }, corrupt.message));
    this.evaluator.setRules(rules);
  }

  private loadSilences(nowMs: number): ActiveSilence[] {
    this.activeSilences = this.silences.active(nowMs);
    return this.activeSilences;
  }

  /** Stores the transitions and the states in one transaction; when the store fails, the events still go out. */
  private persist(transitions: readonly AlertTransition[], records: readonly AlertRecord[]) {
    const events = new Map<AlertTransition, AlertEvent>();
    try {
      this.options.db.transaction(() => {
        for (const t of transitions) events.set(t, this.events.insert(toNewEvent(t)));
        this.states.sync(records);
      })();
    } catch (error) {
      this.states.invalidate();
      this.options.log.error({ err: error }, 'storing alert events and states failed');
      events.clear();
      for (const t of transitions) {
        const { atMs, ...event } = toNewEvent(t);
        events.set(t, { id: `unsaved-${++this.unsaved}`, ...event, at: new Date(atMs).toISOString() });
      }
    }
    this.counters.events += events.size;
    return events;
  }

  /** Queues one page to each webhook its rule notifies. */
  private send(page: Page, event: AlertEvent | undefined, nowMs: number): void {
    const { record, kind } = page;
    const rule = record.rule;
    const { targets, unknown } = this.webhooks.resolve(rule.notify);
    const resolved = kind === 'resolved' ? page.transition : undefined;
    const facts = {
      kind,
      rule,
      scope: record.scope,
      value: resolved ? resolved.value : record.value,
      threshold: resolved ? resolved.threshold : rule.threshold,
      incidentSinceMs: page.incidentSinceMs,
      resolvedAtMs: resolved ? resolved.atMs : null,
      eventId: event?.id ?? null,
      atMs: nowMs,
      publicUrl: this.options.publicUrl(),
    };
    const about = { kind, eventId: facts.eventId, ruleId: rule.id, scope: record.scope };
    for (const webhook of targets) {
      this.notifier.enqueue({
        ...about,
        webhookId: webhook.id,
        payload: notificationBody(webhook.kind, facts),
      });
    }
    // A webhook that vanished from the config: recorded as a failed delivery, so it shows.
    for (const id of unknown)
      this.notifier.enqueue({ ...about, webhookId: id, payload: notificationBody('json', facts) });
    if (targets.length + unknown.length > 0) this.counters.pages++;
  }

  /** A WebSocket failure must not keep the pages from going out. */
  private broadcast(event: AlertEvent): void {
    try {
      this.options.broadcast?.({ type: 'alert', event });
    } catch (error) {
      this.options.log.error({ err: error }, 'pushing an alert event on the WebSocket failed');
    }
  }

  private prune(nowMs: number): void {
    if (nowMs - this.lastPruneMs < HOUR_MS) return;
    this.lastPruneMs = nowMs;
    try {
      this.events.prune(this.options.keepEvents ?? 50_000);
      this.deliveries.prune(this.options.keepDeliveries ?? 10_000);
      this.silences.prune(nowMs - SILENCE_HISTORY_MS);
    } catch (error) {
      this.options.log.error({ err: error }, 'pruning old alert events and deliveries failed');
    }
  }
}

function toNewEvent(t: AlertTransition): NewAlertEvent {
  const { record, rule } = t;
  return {
    ruleId: record.ruleId,
    ruleName: rule.name,
    metric: rule.metric,
    severity: rule.severity,
    scope: { target: record.scope.target, model: record.scope.model },
    from: t.from,
    to: t.to,
    value: t.value,
    threshold: t.threshold,
    atMs: t.atMs,
    ...(t.resolvedIncidentSinceMs === undefined
      ? {}
      : { durationMs: Math.max(0, t.atMs - t.resolvedIncidentSinceMs) }),
  };
}
