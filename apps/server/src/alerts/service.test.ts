import type { AlertMessage, AlertNotification, Rule } from '@lookout/contracts';
import { AlertMessageSchema, AlertNotificationSchema } from '@lookout/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { openStore } from '../store/index.ts';
import {
  type FakeClock,
  type FakeFleet,
  fakeClock,
  fakeFleet,
  type Receiver,
  rule,
  silentLog,
  startReceiver,
  tempDir,
} from './alert-fixture.ts';
import { SEEDED_RULES } from './seed.ts';
import type { AlertServiceOptions } from './service.ts';
import { AlertService } from './service.ts';

let data: ReturnType<typeof tempDir>;
let receiver: Receiver;
const open: { store: Store; service: AlertService }[] = [];

beforeEach(() => {
  data = tempDir();
});
afterEach(async () => {
  for (const { service, store } of open.splice(0)) {
    await service.stop();
    store.close();
  }
  await receiver?.close();
  data.remove();
});

/** A service over the data dir (a second call is a restart), posting to `receiver`. */
function startService(clock: FakeClock, fleet: FakeFleet, options: Partial<AlertServiceOptions> = {}) {
  const store = openStore(data.dir);
  const messages: AlertMessage[] = [];
  const service = new AlertService({
    db: store.db,
    metrics: fleet.engine,
    log: silentLog(),
    broadcast: (m) => messages.push(m),
    webhooks: [
      { id: 'ops', url: `${receiver.url}/ops`, kind: 'json' },
      { id: 'chat', url: `${receiver.url}/slack`, kind: 'slack' },
    ],
    publicUrl: () => 'https://lookout.example.test',
    now: clock.now,
    intervalMs: 3_600_000, // the test drives evaluations
    delivery: { baseDelayMs: 20, maxDelayMs: 200 },
    ...options,
  });
  open.push({ store, service });
  return { store, service, messages };
}

/** Replaces every rule with `rules`. */
function useRules(service: AlertService, rules: Rule[]): void {
  for (const r of service.rules.list()) service.rules.delete(r.id);
  for (const r of rules) service.rules.insert(r, 0);
  service.rulesChanged();
}

const depthRule = rule({
  id: 'depth',
  name: 'Queue depth high',
  metric: 'queue_depth',
  threshold: 20,
  recoverThreshold: 10,
  forSec: 10,
  severity: 'critical',
  notify: ['*'],
});

const bodies = (r: Receiver, path = '/ops') =>
  r.received.filter((x) => x.path === path).map((x) => AlertNotificationSchema.parse(x.json()));

describe('AlertService', () => {
  it('seeds the default rules on the first start only', async () => {
    receiver = await startReceiver();
    const clock = fakeClock();
    const first = startService(clock, fakeFleet(clock));
    expect(first.service.rules.list().map((r) => r.id)).toEqual(SEEDED_RULES.map((r) => r.id));
    first.service.rules.delete('timeouts');
    await first.service.stop();
    first.store.close();
    open.splice(0);
    const again = startService(clock, fakeFleet(clock));
    expect(again.service.rules.list().map((r) => r.id)).toEqual([
      'target-down',
      'latency-p99',
      'queue-depth',
    ]);
  });

  it('goes pending, fires, pages every webhook, repeats, and resolves with the duration', async () => {
    receiver = await startReceiver();
    const clock = fakeClock();
    const fleet = fakeFleet(clock);
    const { service, messages } = startService(clock, fleet, { repeatIntervalMs: 600_000 });
    useRules(service, [depthRule]);
    service.start();
    fleet.target('gpu-1').queueDepth = 30;
    expect(service.evaluateNow().map((e) => e.to)).toEqual(['pending']);
    clock.advance(10_000);
    const [fired] = service.evaluateNow();
    expect(fired).toMatchObject({ from: 'pending', to: 'firing', value: 30, threshold: 20 });
    await service.notifier.whenIdle();
    const [page] = bodies(receiver);
    expect(page).toMatchObject<Partial<AlertNotification>>({
      kind: 'firing',
      status: 'firing',
      scope: { target: 'gpu-1', model: '*' },
      value: 30,
      threshold: 20,
      startsAt: new Date(clock.nowMs).toISOString(),
      eventId: fired!.id,
      dashboardUrl: 'https://lookout.example.test/#/alerts?rule=depth&target=gpu-1&model=*',
    });
    expect(page!.summary).toBe('[FIRING] Queue depth high on gpu-1: queue_depth 30 > 20 (critical)');
    const slack = receiver.received
      .filter((x) => x.path === '/slack')
      .map((x) => x.json<{ text: string }>().text);
    expect(slack).toEqual([
      expect.stringContaining('[FIRING] Queue depth high on gpu-1: queue_depth 30 &gt; 20 (critical)'),
    ]);
    expect(slack[0]).toContain(
      '<https://lookout.example.test/#/alerts?rule=depth&target=gpu-1&model=*|Open in Lookout>',
    );

    clock.advance(600_000);
    expect(service.evaluateNow()).toEqual([]);
    clock.advance(5_000);
    fleet.target('gpu-1').queueDepth = 4;
    const [resolved] = service.evaluateNow();
    expect(resolved).toMatchObject({
      from: 'firing',
      to: 'ok',
      value: 4,
      threshold: 10,
      durationMs: 605_000,
    });
    await service.notifier.whenIdle();
    expect(bodies(receiver).map((b) => b.kind)).toEqual(['firing', 'repeat', 'resolved']);
    expect(bodies(receiver)[2]).toMatchObject({
      status: 'resolved',
      value: 4,
      threshold: 10,
      durationMs: 605_000,
    });
    expect(receiver.received.filter((x) => x.path === '/slack')).toHaveLength(3);

    expect(messages.map((m) => AlertMessageSchema.parse(m).event.to)).toEqual(['pending', 'firing', 'ok']);
    const stored = service.events.page({ limit: 10 });
    expect(stored.events.map((e) => e.to)).toEqual(['ok', 'firing', 'pending']);
    expect(stored.events[0]).toEqual(resolved);
    expect(service.currentStates()).toEqual([
      expect.objectContaining({
        ruleId: 'depth',
        state: 'ok',
        value: 4,
        since: new Date(clock.nowMs).toISOString(),
      }),
    ]);
  });

  it('sends no second page when restarted while firing, and resolves once the data says so', async () => {
    receiver = await startReceiver();
    const clock = fakeClock();
    const timeoutsRule = rule({
      id: 'timeouts',
      metric: 'timeouts',
      threshold: 0,
      window: '5m',
      notify: ['ops'],
    });
    const before = fakeFleet(clock);
    const first = startService(clock, before);
    useRules(first.service, [{ ...depthRule, forSec: 0, notify: ['ops'] }, timeoutsRule]);
    first.service.start();
    before.target('gpu-1').queueDepth = 30;
    before.play({ totalMs: 1_000, outcome: 'timeout_first_byte' });
    expect(first.service.evaluateNow().map((e) => `${e.ruleId}:${e.to}`)).toEqual([
      'depth:firing',
      'timeouts:firing',
    ]);
    await first.service.notifier.whenIdle();
    expect(bodies(receiver).map((b) => `${b.rule?.id}:${b.kind}`)).toEqual([
      'depth:firing',
      'timeouts:firing',
    ]);
    const firedAt = new Date(clock.nowMs).toISOString();
    await first.service.stop();
    first.store.close();
    open.splice(0);

    // A new process: metrics start empty, the queue is still deep.
    clock.advance(30_000);
    const after = fakeFleet(clock);
    after.target('gpu-1').queueDepth = 30;
    const second = startService(clock, after);
    second.service.start();
    expect(second.service.currentStates().map((s) => [s.ruleId, s.state, s.since])).toEqual([
      ['depth', 'firing', firedAt],
      ['timeouts', 'firing', firedAt],
    ]);
    for (let i = 0; i < 50; i++) {
      clock.advance(5_000);
      expect(second.service.evaluateNow()).toEqual([]); // the empty 5m window proves nothing yet
    }
    await second.service.notifier.whenIdle();
    expect(receiver.received).toHaveLength(2);

    clock.advance(60_000);
    after.target('gpu-1').queueDepth = 2;
    expect(second.service.evaluateNow().map((e) => `${e.ruleId}:${e.to}`)).toEqual([
      'depth:ok',
      'timeouts:ok',
    ]);
    await second.service.notifier.whenIdle();
    expect(bodies(receiver).map((b) => `${b.rule?.id}:${b.kind}`)).toEqual([
      'depth:firing',
      'timeouts:firing',
      'depth:resolved',
      'timeouts:resolved',
    ]);
  });

  it('delivers the page and its resolution in order through retries, without holding up evaluation', async () => {
    receiver = await startReceiver((_req, n) => (n <= 2 ? 500 : 200));
    const clock = fakeClock();
    const fleet = fakeFleet(clock);
    const { service } = startService(clock, fleet);
    useRules(service, [{ ...depthRule, forSec: 0, notify: ['ops'] }]);
    fleet.target('gpu-1').queueDepth = 30;
    const started = performance.now();
    service.evaluateNow();
    clock.advance(5_000);
    fleet.target('gpu-1').queueDepth = 0;
    service.evaluateNow();
    expect(performance.now() - started).toBeLessThan(250); // both evaluations ran before any delivery finished
    expect(receiver.received.length).toBeLessThanOrEqual(1);
    await service.notifier.whenIdle();
    expect(receiver.received.map((r) => r.json().kind)).toEqual(['firing', 'firing', 'firing', 'resolved']);
    const { deliveries } = service.deliveries.page({ limit: 10 });
    expect(deliveries.map((d) => [d.kind, d.status, d.attempts, d.webhookId])).toEqual([
      ['resolved', 'delivered', 1, 'ops'],
      ['firing', 'delivered', 3, 'ops'],
    ]);
  });

  it('mutes the page of a silenced alert until the silence is removed, and marks the state', async () => {
    receiver = await startReceiver();
    const clock = fakeClock();
    const fleet = fakeFleet(clock, ['gpu-1', 'gpu-2']);
    const { service } = startService(clock, fleet);
    useRules(service, [{ ...depthRule, forSec: 0, notify: ['ops'] }]);
    const until = clock.nowMs + 3_600_000;
    service.silences.insert(
      'quiet',
      {
        ruleId: 'depth',
        scope: { target: 'gpu-1', model: '*' },
        until: new Date(until).toISOString(),
        reason: 'maintenance',
      },
      clock.nowMs,
    );
    service.silencesChanged();
    fleet.target('gpu-1').queueDepth = 30;
    fleet.target('gpu-2').queueDepth = 30;
    expect(service.evaluateNow().map((e) => `${e.scope.target}:${e.to}`)).toEqual([
      'gpu-1:firing',
      'gpu-2:firing',
    ]);
    await service.notifier.whenIdle();
    expect(bodies(receiver).map((b) => b.scope?.target)).toEqual(['gpu-2']);
    expect(service.currentStates().map((s) => [s.scope.target, s.silencedUntil])).toEqual([
      ['gpu-1', new Date(until).toISOString()],
      ['gpu-2', undefined],
    ]);
    service.silences.delete('quiet');
    service.silencesChanged();
    clock.advance(5_000);
    service.evaluateNow();
    await service.notifier.whenIdle();
    expect(bodies(receiver).map((b) => `${b.scope?.target}:${b.kind}`)).toEqual([
      'gpu-2:firing',
      'gpu-1:firing',
    ]);
  });
});
