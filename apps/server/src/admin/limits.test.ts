import { ApiErrorSchema } from '@lookout/contracts';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Fleet, startFleet, TEST_ADMIN_TOKEN } from '../testing/harness.ts';

const clock = { nowMs: 1_700_000_000_000, now: () => clock.nowMs };
const bearer = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet([{}], {}, { dashboard: { limits: { now: clock.now } } });
});
afterAll(() => fleet.close());

function signIn(token: string, init: { dispatcher?: Agent } = {}) {
  return undiciFetch(`${fleet.dashboard}/api/session`, {
    method: 'POST',
    body: JSON.stringify({ token }),
    ...init,
  });
}

async function expectRateLimited(res: { status: number; headers: Headers; json(): Promise<unknown> }) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(ApiErrorSchema.parse(await res.json()).error.code).toBe('rate_limited');
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  return retryAfter;
}

describe('sign-in rate limit', () => {
  let other: Agent | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
  });

  it('lets good sign-ins through as often as needed', async () => {
    for (let i = 0; i < 15; i++) expect((await signIn(TEST_ADMIN_TOKEN)).status).toBe(200);
  });

  it('after 10 refused sign-ins from one address refuses every attempt, the right token too, until time passes', async () => {
    for (let i = 0; i < 10; i++) expect((await signIn(`wrong-token-guess-${i}-xxxxxxxx`)).status).toBe(401);
    const retryAfter = await expectRateLimited(await signIn('wrong-token-guess-10-xxxxxxxx'));
    expect(retryAfter).toBe(6); // one attempt back every 60 s / 10
    await expectRateLimited(await signIn(TEST_ADMIN_TOKEN));

    // Another address is not affected (every 127/8 address reaches the loopback listener).
    other = new Agent({ localAddress: '127.0.0.2' });
    expect((await signIn('wrong-token-from-elsewhere', { dispatcher: other })).status).toBe(401);
    expect((await signIn(TEST_ADMIN_TOKEN, { dispatcher: other })).status).toBe(200);

    clock.nowMs += retryAfter * 1000;
    expect((await signIn('one-more-wrong-guess-xxxxxx')).status).toBe(401);
    await expectRateLimited(await signIn(TEST_ADMIN_TOKEN));
    clock.nowMs += 60_000;
    expect((await signIn(TEST_ADMIN_TOKEN)).status).toBe(200);
  });

  it('parallel guesses cannot slip past the limit', async () => {
    clock.nowMs += 120_000;
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => (await signIn(`parallel-guess-${i}-xxxxxxxxxx`)).status),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });
});

describe('test prompt rate limit', () => {
  it('allows 30 a minute per address, then 429 with Retry-After', async () => {
    const post = (body: unknown) =>
      fetch(`${fleet.dashboard}/api/test-prompts`, {
        method: 'POST',
        headers: bearer,
        body: JSON.stringify(body),
      });
    // Invalid ones count too: each attempt costs a validation, a valid one a target's slot.
    for (let i = 0; i < 30; i++) expect((await post({ model: '' })).status).toBe(400);
    await expectRateLimited(await post({ model: 'llama3.2:1b', prompt: 'hi' }));
    clock.nowMs += 2_000;
    expect((await post({ model: '' })).status).toBe(400);
    expect((await post({ model: '' })).status).toBe(429);
  });
});

describe('request size limit', () => {
  it('refuses a body over 256 KiB with 413 before reading it, declared or chunked', async () => {
    const big = JSON.stringify({
      ...{ name: 'x', metric: 'timeouts', op: '>', threshold: 1 },
      pad: 'x'.repeat(300_000),
    });
    const declared = await fetch(`${fleet.dashboard}/api/rules`, {
      method: 'POST',
      headers: bearer,
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(declared.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ApiErrorSchema.parse(await declared.json()).error.code).toBe('body_too_large');

    const bytes = new TextEncoder().encode(big);
    const chunked = await fetch(`${fleet.dashboard}/api/rules`, {
      method: 'POST',
      headers: bearer,
      body: new ReadableStream({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 16_384)
            controller.enqueue(bytes.subarray(at, at + 16_384));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(ApiErrorSchema.parse(await chunked.json()).error.code).toBe('body_too_large');

    // Unauthenticated: refused as well, whichever check comes first.
    const anonymous = await fetch(`${fleet.dashboard}/api/rules`, { method: 'POST', body: big });
    expect([401, 413]).toContain(anonymous.status);
    await anonymous.body?.cancel();
  });

  it('accepts the largest legitimate body: a 20 000-character prompt of 4-byte characters', async () => {
    clock.nowMs += 120_000;
    const prompt = '🦙'.repeat(10_000); // 20 000 UTF-16 units, 40 000 bytes
    const res = await fetch(`${fleet.dashboard}/api/test-prompts`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ target: 'no-such-target', model: 'llama3.2:1b', prompt }),
    });
    // Parsed and validated: the target is what it refuses.
    expect(res.status).toBe(404);
    expect(ApiErrorSchema.parse(await res.json()).error.code).toBe('unknown_target');
  });
});
