import type { Delivery } from '@lookout/contracts';
import type { Logger } from '../log.ts';
import type { DeliveryTable, DeliveryUpdate, NewDelivery } from './delivery-table.ts';
import type { AttemptResult } from './webhook-post.ts';
import { postWebhook } from './webhook-post.ts';
import type { WebhookTarget } from './webhook-table.ts';

export interface WebhookNotifierOptions {
  readonly deliveries: DeliveryTable;
  /** The webhook as it is now (url and headers may have been edited since the delivery was queued). */
  readonly resolveWebhook: (id: string) => WebhookTarget | undefined;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
  /** Wall-clock epoch ms, for `nextAttemptAt`. */
  readonly now?: () => number;
  /** 0 <= random() < 1, for the jitter. */
  readonly random?: () => number;
  /** Attempts per delivery, the first included (default 6: about 1 + 2 + 4 + 8 + 16 s of waits). */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** One POST, answer included (default 10 s). */
  readonly attemptTimeoutMs?: number;
  /** Deliveries waiting per webhook; beyond it a new one fails at once as `queue_full` (default 500). */
  readonly maxQueuedPerWebhook?: number;
}

interface QueuedDelivery {
  /** Null when the store could not record it (it is still sent). */
  readonly id: string | null;
  readonly webhookId: string;
  readonly payload: string;
  attempts: number;
}

interface Lane {
  readonly queue: QueuedDelivery[];
  running: Promise<void> | undefined;
}

/**
 * Sends notifications to webhooks without ever holding up the caller: `enqueue` records the delivery
 * and returns; one lane per webhook delivers its messages one at a time, in order (so an alert's
 * resolution never arrives before its page), retrying failures with exponential backoff and jitter, a
 * bounded number of times. Every outcome is recorded in the deliveries table; a
 * delivery that finally fails is logged.
 *
 * Retries: on no answer, 408, 429 and 5xx, waiting `base * 2^(n-1)` capped at `maxDelayMs`, half of it
 * fixed and half random (never back-to-back, still spread out), or longer when `Retry-After` asks.
 * Other 4xx answers fail at once: the receiver refused this message, and sending it again will not help.
 */
export class WebhookNotifier {
  private readonly lanes = new Map<string, Lane>();
  private readonly stopController = new AbortController();
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly maxQueued: number;
  /** Since start, for tests and `/metrics`. */
  readonly counters = { delivered: 0, failed: 0, retries: 0 };

  constructor(private readonly options: WebhookNotifierOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
    this.maxQueued = options.maxQueuedPerWebhook ?? 500;
  }

  /** Queues one message to one webhook; returns at once with the delivery id (null if it could not be recorded). */
  enqueue(delivery: NewDelivery): string | null {
    const id = this.record(() => this.options.deliveries.insert(delivery)) ?? null;
    const lane = this.lane(delivery.webhookId);
    if (lane.queue.length >= this.maxQueued) {
      const message = `${lane.queue.length} deliveries already wait for webhook ${delivery.webhookId}`;
      this.finish(id, delivery.webhookId, 0, { code: 'queue_full', message, httpStatus: null });
      return id;
    }
    lane.queue.push({ id, webhookId: delivery.webhookId, payload: delivery.payload, attempts: 0 });
    this.kick(delivery.webhookId, lane);
    return id;
  }

  /** Queues again what a previous process left queued or retrying; returns how many. */
  resume(): number {
    const open = this.record(() => this.options.deliveries.open()) ?? [];
    for (const d of open) {
      const lane = this.lane(d.webhookId);
      lane.queue.push({ id: d.id, webhookId: d.webhookId, payload: d.payload, attempts: d.attempts });
      this.kick(d.webhookId, lane);
    }
    return open.length;
  }

  /** Sends one message now, once, outside the queues (the dashboard's "send test"); returns the recorded delivery. */
  async sendTest(webhook: WebhookTarget, payload: string): Promise<Delivery | undefined> {
    const deliveries = this.options.deliveries;
    const id = deliveries.insert({
      webhookId: webhook.id,
      kind: 'test',
      eventId: null,
      ruleId: null,
      scope: null,
      payload,
    });
    const result = await postWebhook(webhook, payload, this.postOptions());
    if (result.ok) deliveries.update(id, this.outcome('delivered', 1, result, null));
    else deliveries.update(id, this.outcome('failed', 1, result, null));
    return deliveries.get(id);
  }

  /** Resolves when every queue is empty (tests; a clean shutdown). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const running = [...this.lanes.values()].flatMap((l) => (l.running ? [l.running] : []));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /** Aborts attempts and waits; what was not delivered stays queued in the table for the next start. */
  async stop(): Promise<void> {
    this.stopController.abort();
    await this.whenIdle();
  }

  get queued(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.queue.length;
    return n;
  }

  private lane(webhookId: string): Lane {
    let lane = this.lanes.get(webhookId);
    if (!lane) {
      lane = { queue: [], running: undefined };
      this.lanes.set(webhookId, lane);
    }
    return lane;
  }

  private kick(webhookId: string, lane: Lane): void {
    if (lane.running || this.stopController.signal.aborted) return;
    lane.running = this.drain(lane).finally(() => {
      lane.running = undefined;
      if (lane.queue.length === 0) this.lanes.delete(webhookId);
    });
  }

  private async drain(lane: Lane): Promise<void> {
    for (let item = lane.queue[0]; item && !this.stopController.signal.aborted; item = lane.queue[0]) {
      const done = await this.deliver(item);
      if (!done) return;
      lane.queue.shift();
    }
  }

  /** Attempts until delivered or given up (true), or until the notifier stops (false). */
  private async deliver(item: QueuedDelivery): Promise<boolean> {
    for (;;) {
      const webhook = this.options.resolveWebhook(item.webhookId);
      if (!webhook) {
        const message = `webhook ${item.webhookId} was removed before this message could be delivered`;
        this.finish(item.id, item.webhookId, item.attempts, {
          code: 'webhook_removed',
          message,
          httpStatus: null,
        });
        return true;
      }
      const result = await postWebhook(webhook, item.payload, this.postOptions());
      if (!result.ok && result.code === 'stopped') return false;
      item.attempts++;
      if (result.ok) {
        this.counters.delivered++;
        this.update(item.id, this.outcome('delivered', item.attempts, result, null));
        return true;
      }
      if (!result.retriable || item.attempts >= this.maxAttempts) {
        this.finish(item.id, item.webhookId, item.attempts, result);
        return true;
      }
      const delayMs = this.backoffMs(item.attempts, result.retryAfterMs);
      this.counters.retries++;
      this.update(item.id, this.outcome('retrying', item.attempts, result, this.now() + delayMs));
      if (!(await this.sleep(delayMs))) return false;
    }
  }

  private backoffMs(failures: number, retryAfterMs: number | null): number {
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (failures - 1));
    const delay = cap / 2 + (this.random() * cap) / 2;
    return Math.round(
      retryAfterMs === null ? delay : Math.max(delay, Math.min(retryAfterMs, this.maxDelayMs)),
    );
  }

  /** Waits `ms`; false when the notifier stopped meanwhile. */
  private sleep(ms: number): Promise<boolean> {
    const signal = this.stopController.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve(!signal.aborted);
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private finish(
    id: string | null | undefined,
    webhookId: string,
    attempts: number,
    failure: { code: string; message: string; httpStatus: number | null },
  ): void {
    this.counters.failed++;
    this.options.log.warn(
      { webhook: webhookId, delivery: id, code: failure.code, httpStatus: failure.httpStatus, attempts },
      `webhook delivery failed: ${failure.message}`,
    );
    this.update(id, {
      status: 'failed',
      attempts,
      lastHttpStatus: failure.httpStatus,
      lastError: { code: failure.code, message: failure.message },
      nextAttemptAtMs: null,
    });
  }

  private outcome(
    status: DeliveryUpdate['status'],
    attempts: number,
    result: AttemptResult,
    nextAttemptAtMs: number | null,
  ): DeliveryUpdate {
    return {
      status,
      attempts,
      lastHttpStatus: result.httpStatus,
      lastError: result.ok ? null : { code: result.code, message: result.message },
      nextAttemptAtMs,
    };
  }

  private update(id: string | null | undefined, update: DeliveryUpdate): void {
    if (id) this.record(() => this.options.deliveries.update(id, update));
  }

  private postOptions() {
    return { fetch: this.fetch, timeoutMs: this.attemptTimeoutMs, stop: this.stopController.signal };
  }

  /** A store write that must not stop a page from going out: failures are logged, not thrown. */
  private record<T>(write: () => T): T | undefined {
    try {
      return write();
    } catch (error) {
      this.options.log.error({ err: error }, 'recording a webhook delivery failed');
      return undefined;
    }
  }
}
