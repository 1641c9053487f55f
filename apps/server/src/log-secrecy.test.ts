import { TestPromptRunSchema } from '@lookout/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet, TEST_ADMIN_TOKEN } from './testing/harness.ts';

const RELAY_KEY = 'relay-key-SECRET-7d1f0c2a';
const WRONG_TOKEN = 'admin-token-GUESS-55aa9e01';
const WRONG_RELAY_KEY = 'relay-key-GUESS-0b3e61f4';
const TEST_PROMPT = 'test-prompt-SECRET-what is in the vault';
const RELAY_PROMPT = 'relay-prompt-SECRET-private question';
const SECRETS = [TEST_ADMIN_TOKEN, RELAY_KEY, WRONG_TOKEN, WRONG_RELAY_KEY, TEST_PROMPT, RELAY_PROMPT];

describe('the log', () => {
  const lines: string[] = [];
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(
      [{ tokensPerSec: 500 }],
      { relayKeys: [RELAY_KEY] },
      { logDestination: { write: (line: string) => void lines.push(line) }, logLevel: 'debug' },
    );
  });
  afterAll(() => fleet.close());

  it('never carries the admin token, a relay key or prompt text, at debug level', async () => {
    const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };

    const relayed = await fetch(`${fleet.relay}/api/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${RELAY_KEY}` },
      body: JSON.stringify({ model: 'llama3.2:1b', prompt: RELAY_PROMPT, stream: true }),
    });
    expect(relayed.status).toBe(200);
    await relayed.text();
    const refusedRelay = await fetch(`${fleet.relay}/api/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRONG_RELAY_KEY}` },
      body: JSON.stringify({ model: 'llama3.2:1b', prompt: RELAY_PROMPT }),
    });
    expect(refusedRelay.status).toBe(401);
    await refusedRelay.text();

    const refusedSignIn = await fetch(`${fleet.dashboard}/api/session`, {
      method: 'POST',
      body: JSON.stringify({ token: WRONG_TOKEN }),
    });
    expect(refusedSignIn.status).toBe(401);
    const signIn = await fetch(`${fleet.dashboard}/api/session`, {
      method: 'POST',
      body: JSON.stringify({ token: TEST_ADMIN_TOKEN }),
    });
    expect(signIn.status).toBe(200);

    const started = await fetch(`${fleet.dashboard}/api/test-prompts`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ model: 'llama3.2:1b', prompt: TEST_PROMPT, numPredict: 5 }),
    });
    expect(started.status).toBe(202);
    const { runId } = TestPromptRunSchema.parse(await started.json());
    // One that fails: an unknown model on the only target.
    const failing = await fetch(`${fleet.dashboard}/api/test-prompts`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ target: 'sim0', model: 'no-such-model', prompt: TEST_PROMPT, numPredict: 5 }),
    });
    expect(failing.status).toBe(202);
    const failedId = TestPromptRunSchema.parse(await failing.json()).runId;

    const statusOf = async (id: string) =>
      TestPromptRunSchema.parse(
        await (await fetch(`${fleet.dashboard}/api/test-prompts/${id}`, { headers: admin })).json(),
      ).status;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const [a, b] = await Promise.all([statusOf(runId), statusOf(failedId)]);
      if (a !== 'running' && b !== 'running') break;
      if (Date.now() > deadline) throw new Error(`test prompts still running after 10 s: ${a}, ${b}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await fleet.close(); // flushes what closing logs too
    fleet = { close: async () => {} } as Fleet;

    const log = lines.join('');
    expect(log).toContain('sign-in refused'); // the capture works, and refused sign-ins are logged
    for (const secret of SECRETS) expect(log, `the log shows ${secret}`).not.toContain(secret);
    // Nor any distinctive part of them (a prefix would leak a token's first characters).
    for (const secret of SECRETS) expect(log).not.toContain(secret.slice(-12));
  });
});
