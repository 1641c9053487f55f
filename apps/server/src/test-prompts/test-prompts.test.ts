import { ServerMessageSchema, TestPromptRunSchema } from '@lookout/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Fleet, startFleet, TEST_ADMIN_TOKEN, waitFor } from '../testing/harness.ts';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };

function post(f: Fleet, body: unknown): Promise<Response> {
  return fetch(`${f.dashboard}/api/test-prompts`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify(body),
  });
}

async function listen(f: Fleet): Promise<{ ws: WebSocket; messages: unknown[] }> {
  const ws = new WebSocket(`${f.dashboard.replace('http', 'ws')}/ws`, { headers: auth });
  const messages: unknown[] = [];
  ws.on('message', (d) => messages.push(ServerMessageSchema.parse(JSON.parse(String(d)))));
  await new Promise((resolve) => ws.once('open', resolve));
  return { ws, messages };
}

describe('test prompts', () => {
  it('stream tokens over the WebSocket, then a full timing breakdown, counted under their own source', async () => {
    fleet = await startFleet([{ tokensPerSec: 200 }]);
    const f = fleet;
    const { ws, messages } = await listen(f);
    const res = await post(f, { target: null, model: 'llama3.2:1b', prompt: 'Hello there', numPredict: 10 });
    expect(res.status).toBe(202);
    const started = TestPromptRunSchema.parse(await res.json());
    expect(started.status).toBe('running');

    const mine = () =>
      messages.filter((m) => (m as { type: string; runId?: string }).runId === started.runId) as {
        event: string;
        text?: string;
      }[];
    await waitFor(() => mine().some((m) => m.event === 'done'), 5_000, 'the run to finish');
    ws.close();
    const tokens = mine().filter((m) => m.event === 'token');
    expect(tokens).toHaveLength(10);

    const run = TestPromptRunSchema.parse(
      await (await fetch(`${f.dashboard}/api/test-prompts/${started.runId}`, { headers: auth })).json(),
    );
    expect(run).toMatchObject({ status: 'ok', target: 'sim0', error: null });
    expect(run.response).toBe(tokens.map((t) => t.text).join(''));
    expect(run.timings).toMatchObject({
      evalCount: 10,
      promptEvalCount: expect.any(Number),
      ttftMs: expect.any(Number),
      loadMs: expect.any(Number),
      evalMs: expect.any(Number),
      tokensPerSec: expect.any(Number),
    });
    expect(run.timings!.tokensPerSec!).toBeGreaterThan(100);
    expect(run.timings!.totalMs).toBeGreaterThanOrEqual(run.timings!.ttftMs!);

    const totals = f.lookout.metrics.requestTotals().filter((t) => t.source === 'test_prompt');
    expect(totals.reduce((n, t) => n + t.outcomes.ok, 0)).toBe(1);
    const list = (await (await fetch(`${f.dashboard}/api/test-prompts`, { headers: auth })).json()) as {
      runs: { runId: string }[];
    };
    expect(list.runs[0]!.runId).toBe(started.runId);
  });

  it('report the error with its code when the target times out', async () => {
    fleet = await startFleet([{}]);
    const f = fleet;
    f.sims[0]!.setFaults([{ kind: 'hang', model: 'llama3.2:1b' }]);
    const res = await post(f, {
      target: 'sim0',
      model: 'llama3.2:1b',
      prompt: 'x',
      timeouts: { firstByteTimeoutMs: 200 },
    });
    const { runId } = (await res.json()) as { runId: string };
    let run: { status: string; error: { code: string; outcome: string } | null } = {
      status: 'running',
      error: null,
    };
    const deadline = Date.now() + 3_000;
    while (run.status === 'running' && Date.now() < deadline) {
      run = (await (
        await fetch(`${f.dashboard}/api/test-prompts/${runId}`, { headers: auth })
      ).json()) as typeof run;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(run).toMatchObject({
      status: 'failed',
      error: { code: 'LOOKOUT_FIRST_BYTE_TIMEOUT', outcome: 'timeout_first_byte' },
    });
  });

  it('refuse bad input with the field named', async () => {
    fleet = await startFleet([{}]);
    const bad = await post(fleet, { model: '', prompt: 'x', numPredict: 0 });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { fields: Record<string, string> } };
    expect(Object.keys(body.error.fields).sort()).toEqual(['model', 'numPredict']);
    const unknown = await post(fleet, { target: 'nope', model: 'llama3.2:1b', prompt: 'x' });
    expect(unknown.status).toBe(404);
    expect(
      ((await unknown.json()) as { error: { fields: Record<string, string> } }).error.fields,
    ).toHaveProperty('target');
  });
});
