import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { openStore } from '../store/index.ts';
import {
  capturedLog,
  fakeClock,
  fakeFleet,
  type Receiver,
  rule,
  startReceiver,
  tempDir,
} from './alert-fixture.ts';
import { AlertService } from './service.ts';

let data: ReturnType<typeof tempDir>;
let store: Store;
let receiver: Receiver;
let service: AlertService | undefined;

beforeEach(async () => {
  data = tempDir();
  store = openStore(data.dir);
  receiver = await startReceiver();
});
afterEach(async () => {
  await service?.stop();
  service = undefined;
  store.close();
  await receiver.close();
  data.remove();
});

function setup(broadcast: () => void) {
  const clock = fakeClock();
  const fleet = fakeFleet(clock);
  const { log, lines } = capturedLog();
  service = new AlertService({
    db: store.db,
    metrics: fleet.engine,
    log,
    broadcast,
    webhooks: [{ id: 'ops', url: `${receiver.url}/ops`, kind: 'json' }],
    publicUrl: () => 'http://127.0.0.1:11436',
    now: clock.now,
  });
  for (const r of service.rules.list()) service.rules.delete(r.id);
  service.rules.insert(rule({ id: 'depth', metric: 'queue_depth', threshold: 5, notify: ['ops'] }), 0);
  service.rulesChanged();
  return { clock, fleet, lines, service };
}

describe('AlertService under failures', () => {
  it('still pushes and pages transitions the store could not keep, and rewrites the states afterwards', async () => {
    const pushed: string[] = [];
    const s = setup(() => pushed.push('alert'));
    store.db.exec('ALTER TABLE alert_events RENAME TO alert_events_away');
    s.fleet.target('gpu-1').queueDepth = 9;
    const [event] = s.service.evaluateNow();
    expect(event).toMatchObject({ id: 'unsaved-1', to: 'firing' });
    expect(pushed).toEqual(['alert']);
    await s.service.notifier.whenIdle();
    expect(receiver.received.map((r) => r.json().kind)).toEqual(['firing']);
    expect(s.lines().some((l) => l.msg === 'storing alert events and states failed')).toBe(true);

    store.db.exec('ALTER TABLE alert_events_away RENAME TO alert_events');
    s.clock.advance(5_000);
    s.service.evaluateNow();
    const saved = store.db.prepare('SELECT state, notified_at_ms FROM alert_states').all();
    expect(saved).toEqual([{ state: 'firing', notified_at_ms: s.clock.nowMs - 5_000 }]);
  });

  it('pages even when the WebSocket push throws', async () => {
    const s = setup(() => {
      throw new Error('socket gone');
    });
    s.fleet.target('gpu-1').queueDepth = 9;
    expect(s.service.evaluateNow().map((e) => e.to)).toEqual(['firing']);
    await s.service.notifier.whenIdle();
    expect(receiver.received).toHaveLength(1);
    expect(s.service.counters.evaluationErrors).toBe(0);
  });
});
