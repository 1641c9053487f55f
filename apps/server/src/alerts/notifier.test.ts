import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { openStore } from '../store/index.ts';
import { capturedLog, type Receiver, silentLog, startReceiver, tempDir, until } from './alert-fixture.ts';
import { DeliveryTable } from './delivery-table.ts';
import type { WebhookNotifierOptions } from './notifier.ts';
import { WebhookNotifier } from './notifier.ts';
import type { WebhookTarget } from './webhook-table.ts';

let data: ReturnType<typeof tempDir>;
let store: Store;
let receiver: Receiver | undefined;
const notifiers: WebhookNotifier[] = [];

beforeEach(() => {
  data = tempDir();
  store = openStore(data.dir);
});
afterEach(async () => {
  for (const n of notifiers.splice(0)) await n.stop();
  await receiver?.close();
  receiver = undefined;
  store.close();
  data.remove();
});

function webhook(url: string, id = 'ops'): WebhookTarget {
  return { id, name: id, url, kind: 'json', headers: { authorization: 'Bearer s3cret' }, source: 'config' };
}

function notifier(hooks: WebhookTarget[], options: Partial<WebhookNotifierOptions> = {}) {
  const deliveries = new DeliveryTable(store.db, Date.now);
  const n = new WebhookNotifier({
    deliveries,
    resolveWebhook: (id) => hooks.find((h) => h.id === id),
    log: silentLog(),
    baseDelayMs: 20,
    maxDelayMs: 200,
    attemptTimeoutMs: 2_000,
    ...options,
  });
  notifiers.push(n);
  return { n, deliveries };
}

const message = (webhookId: string, text: string) => ({
  webhookId,
  kind: 'firing' as const,
  eventId: null,
  ruleId: 'r1',
  scope: { target: 'gpu-1', model: '*' },
  payload: JSON.stringify({ text }),
});

describe('WebhookNotifier', () => {
  it('delivers in order, holding later messages while an earlier one is retried', async () => {
    receiver = await startReceiver((_req, n) => (n <= 2 ? 503 : 200));
    const { n, deliveries } = notifier([webhook(receiver.url)]);
    const ids = ['first', 'second', 'third'].map((t) => n.enqueue(message('ops', t)));
    await n.whenIdle();
    expect(receiver.received.map((r) => r.json().text)).toEqual([
      'first',
      'first',
      'first',
      'second',
      'third',
    ]);
    expect(receiver.received[0]!.headers.authorization).toBe('Bearer s3cret');
    expect(receiver.received[0]!.headers['content-type']).toBe('application/json');
    const rows = ids.map((id) => deliveries.get(id!));
    expect(rows.map((d) => [d?.status, d?.attempts])).toEqual([
      ['delivered', 3],
      ['delivered', 1],
      ['delivered', 1],
    ]);
    expect(rows[0]).toMatchObject({ lastHttpStatus: 200, lastError: null });
    expect(n.counters).toEqual({ delivered: 3, failed: 0, retries: 2 });
  });

  it('gives up after maxAttempts, records why, and logs it', async () => {
    receiver = await startReceiver(() => 500);
    const { log, lines } = capturedLog();
    const { n, deliveries } = notifier([webhook(`${receiver.url}/hook/SECRET-PATH`)], {
      maxAttempts: 3,
      log,
    });
    const id = n.enqueue(message('ops', 'x'))!;
    await n.whenIdle();
    expect(receiver.received).toHaveLength(3);
    const failed = deliveries.get(id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastHttpStatus: 500, nextAttemptAt: null });
    expect(failed?.lastError?.code).toBe('http_status');
    expect(failed?.lastError?.message).toContain('answered 500: receiver says no');
    expect(failed?.lastError?.message).not.toContain('SECRET-PATH');
    const warning = lines().find((l) => l.msg?.toString().startsWith('webhook delivery failed'));
    expect(warning).toMatchObject({ level: 40, webhook: 'ops', code: 'http_status', attempts: 3 });
  });

  it('does not retry a message the receiver refused with a 4xx', async () => {
    receiver = await startReceiver(() => 400);
    const { n, deliveries } = notifier([webhook(receiver.url)]);
    const id = n.enqueue(message('ops', 'x'))!;
    await n.whenIdle();
    expect(receiver.received).toHaveLength(1);
    expect(deliveries.get(id)).toMatchObject({ status: 'failed', attempts: 1, lastHttpStatus: 400 });
  });

  it('returns from enqueue at once while the receiver hangs, and times the attempt out', async () => {
    receiver = await startReceiver((_req, n) => (n === 1 ? 'hang' : 200));
    const { n, deliveries } = notifier([webhook(receiver.url)], { attemptTimeoutMs: 300 });
    const started = performance.now();
    const id = n.enqueue(message('ops', 'x'))!;
    expect(performance.now() - started).toBeLessThan(250);
    expect(deliveries.get(id)?.status).toBe('queued');
    await n.whenIdle();
    expect(deliveries.get(id)).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(n.counters.retries).toBe(1);
  });

  it('leaves undelivered messages queued on stop, and a new notifier resumes them in order', async () => {
    receiver = await startReceiver(() => 503);
    const hooks = [webhook(receiver.url)];
    const first = notifier(hooks, { baseDelayMs: 60_000, maxDelayMs: 60_000 });
    const a = first.n.enqueue(message('ops', 'a'))!;
    const b = first.n.enqueue(message('ops', 'b'))!;
    await until(() => first.deliveries.get(a)?.status === 'retrying', 'the first attempt to fail');
    await first.n.stop();
    expect(first.deliveries.get(a)).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(first.deliveries.get(b)).toMatchObject({ status: 'queued', attempts: 0 });

    const healthy = await startReceiver();
    const second = notifier([webhook(healthy.url)]);
    try {
      expect(second.n.resume()).toBe(2);
      await second.n.whenIdle();
      expect(healthy.received.map((r) => r.json().text)).toEqual(['a', 'b']);
      expect(second.deliveries.get(a)).toMatchObject({ status: 'delivered', attempts: 2 });
    } finally {
      await healthy.close();
    }
  });

  it('fails a message whose webhook was removed, and one that finds its queue full', async () => {
    receiver = await startReceiver(() => 'hang');
    const hooks = [webhook(receiver.url)];
    const { n, deliveries } = notifier(hooks, { maxQueuedPerWebhook: 2 });
    const gone = n.enqueue(message('deleted-hook', 'x'))!;
    const kept = [n.enqueue(message('ops', '1'))!, n.enqueue(message('ops', '2'))!];
    const dropped = n.enqueue(message('ops', '3'))!;
    await waitForCount(receiver, 1);
    expect(deliveries.get(gone)).toMatchObject({ status: 'failed', lastError: { code: 'webhook_removed' } });
    expect(deliveries.get(dropped)).toMatchObject({ status: 'failed', lastError: { code: 'queue_full' } });
    expect(kept.map((id) => deliveries.get(id)?.status)).toEqual(['queued', 'queued']);
  });
});

async function waitForCount(r: Receiver, count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (r.received.length < count) {
    if (Date.now() > deadline) throw new Error(`receiver got ${r.received.length} of ${count} requests`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
