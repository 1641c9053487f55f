import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertNotificationSchema, ServerMessageSchema } from '@lookout/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Fleet, startFleet, TEST_ADMIN_TOKEN, waitFor } from '../testing/harness.ts';

let fleet: Fleet | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await fleet?.close();
  receiver?.close();
  fleet = undefined;
});

const headers = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };

describe('alerts end to end', () => {
  it('a rule created over the API fires on relayed traffic, reaches the webhook and the WebSocket, then resolves', async () => {
    const received: unknown[] = [];
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    fleet = await startFleet([{}], {
      webhooks: [{ id: 'ops', url: hookUrl, kind: 'json' }],
    });
    const f = fleet;
    const ws = new WebSocket(`${f.dashboard.replace('http', 'ws')}/ws`, { headers });
    const messages: { type: string }[] = [];
    ws.on('message', (d) => messages.push(ServerMessageSchema.parse(JSON.parse(String(d)))));

    const created = await fetch(`${f.dashboard}/api/rules`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'slow answers',
        metric: 'latency_p50_ms',
        scope: { target: 'sim0', model: '*' },
        window: '1m',
        op: '>',
        threshold: 1,
        forSec: 0,
        minSamples: 1,
        severity: 'critical',
        notify: ['ops'],
      }),
    });
    expect(created.status).toBe(201);
    const { rule } = (await created.json()) as { rule: { id: string; threshold: number } };

    for (let i = 0; i < 3; i++) {
      await fetch(`${f.relay}/api/generate`, {
        method: 'POST',
        headers: { 'x-sim-ttft-ms': '30' },
        body: JSON.stringify({ model: 'llama3.2:1b', prompt: 'x', stream: false }),
      }).then((r) => r.text());
    }
    f.lookout.alerts.evaluateNow();
    await waitFor(() => received.length >= 1, 5_000, 'the firing webhook');
    const firing = AlertNotificationSchema.parse(received[0]);
    expect(firing).toMatchObject({ status: 'firing', rule: { id: rule.id }, scope: { target: 'sim0' } });
    expect(firing.value).toBeGreaterThan(1);
    await waitFor(() => messages.some((m) => m.type === 'alert'), 3_000, 'the alert on the WebSocket');

    const snapshot = (await (await fetch(`${f.dashboard}/api/snapshot`, { headers })).json()) as {
      alerts: { ruleId: string; state: string }[];
    };
    expect(snapshot.alerts.find((a) => a.ruleId === rule.id)?.state).toBe('firing');

    // Raise the threshold above what the traffic shows: the alert resolves and says so.
    const updated = await fetch(`${f.dashboard}/api/rules/${rule.id}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({
        ...(
          (await (await fetch(`${f.dashboard}/api/rules/${rule.id}`, { headers })).json()) as { rule: object }
        ).rule,
        threshold: 60_000,
      }),
    });
    expect(updated.status).toBe(200);
    f.lookout.alerts.evaluateNow();
    await waitFor(() => received.length >= 2, 5_000, 'the resolved webhook');
    expect(AlertNotificationSchema.parse(received[1])).toMatchObject({
      status: 'resolved',
      rule: { id: rule.id },
    });

    const events = (await (await fetch(`${f.dashboard}/api/alerts?rule=${rule.id}`, { headers })).json()) as {
      events: { to: string }[];
    };
    expect(events.events.map((e) => e.to)).toContain('firing');
    ws.close();
  });

  it('seeds the default rules and refuses an invalid rule naming the field', async () => {
    fleet = await startFleet([{}]);
    const rules = (await (await fetch(`${fleet.dashboard}/api/rules`, { headers })).json()) as {
      rules: { metric: string }[];
    };
    expect(rules.rules.map((r) => r.metric).sort()).toEqual(
      ['latency_p99_ms', 'queue_depth', 'target_down', 'timeouts'].sort(),
    );
    const bad = await fetch(`${fleet.dashboard}/api/rules`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'x',
        metric: 'latency_p99_ms',
        op: '>',
        threshold: 100,
        recoverThreshold: 200,
      }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { fields: Record<string, string> } };
    expect(body.error.fields).toHaveProperty('recoverThreshold');
  });
});
