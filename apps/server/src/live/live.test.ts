import { ServerMessageSchema, SnapshotSchema } from '@lookout/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Fleet, startFleet, TEST_ADMIN_TOKEN } from '../testing/harness.ts';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet([{}, {}]);
});
afterAll(() => fleet.close());

function connect(headers: Record<string, string>): Promise<{ ws: WebSocket; messages: unknown[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${fleet.dashboard.replace('http', 'ws')}/ws`, { headers });
    const messages: unknown[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('/ws', () => {
  it('refuses without auth and from another origin', async () => {
    await expect(connect({})).rejects.toThrow('status 401');
    await expect(connect({ authorization: 'Bearer wrong-token-123456' })).rejects.toThrow('status 401');
    await expect(
      connect({ authorization: `Bearer ${TEST_ADMIN_TOKEN}`, origin: 'http://evil.example' }),
    ).rejects.toThrow('status 403');
  });

  it('accepts a session cookie from sign-in', async () => {
    const res = await fetch(`${fleet.dashboard}/api/session`, {
      method: 'POST',
      body: JSON.stringify({ token: TEST_ADMIN_TOKEN }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const { ws, messages } = await connect({ cookie: cookie.split(';')[0]!, origin: fleet.dashboard });
    await until(() => messages.length >= 1, 2_000);
    ws.close();
  });

  it('sends the snapshot of /api/snapshot first, then deltas at least once a second', async () => {
    const { ws, messages } = await connect({ authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
    await fetch(`${fleet.relay}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'llama3.2:1b',
        messages: [{ role: 'user', content: 'x' }],
        stream: false,
      }),
    }).then((r) => r.text());
    const started = Date.now();
    await until(() => messages.length >= 3, 3_500);
    const elapsed = Date.now() - started;
    ws.close();

    const parsed = messages.map((m) => ServerMessageSchema.parse(m));
    expect(parsed[0]!.type).toBe('snapshot');
    expect(parsed[1]!.type).toBe('delta');
    expect(parsed[2]!.type).toBe('delta');
    const seqs = parsed.map((m) => (m as { seq: number }).seq);
    expect(seqs[1]).toBe(seqs[0]! + 1);
    expect(seqs[2]).toBe(seqs[1]! + 1);
    expect(elapsed).toBeLessThan(3_500);

    const rest = await fetch(`${fleet.dashboard}/api/snapshot`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    }).then((r) => r.json());
    const first = (parsed[0] as { data: unknown }).data;
    expect(SnapshotSchema.parse(rest).targets.map((t) => t.name)).toEqual(
      SnapshotSchema.parse(first).targets.map((t) => t.name),
    );
  });
});
