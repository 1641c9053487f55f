import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { Fleet } from '../../testing/harness.ts';
import { startStallMeter } from './loop-stall.ts';
import { ANSWER_MS, BUDGETS, MARGIN_MS, MODEL } from './matrix.ts';
import { expectNothingOpen } from './open-state.ts';
import { startCaseFleet } from './run-case.ts';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

/**
 * A one-piece answer whose body stalls after its headers (and its Content-Length) went to the client.
 * Appending an error frame there either left a keep-alive client waiting for the bytes the
 * Content-Length still promised, or sent bytes past it; the relay now closes the connection, which the
 * official clients (keep-alive pools) report at once as a failed call.
 */
describe('a one-piece body cut after its headers', () => {
  it('ollama-js fails at the idle budget instead of waiting for the promised bytes', async () => {
    fleet = await startCaseFleet([{}]);
    fleet.sims[0]!.setFaults([{ kind: 'stall', model: MODEL }]);
    const stalls = startStallMeter();
    const started = performance.now();
    const failure = await new Ollama({ host: fleet.relay })
      .generate({ model: MODEL, prompt: 'hi', stream: false })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const tookMs = performance.now() - started;
    const stallMs = stalls.stop();
    expect(failure).toBeInstanceOf(Error);
    expect(tookMs).toBeGreaterThanOrEqual(BUDGETS.idleTimeoutMs);
    expect(tookMs).toBeLessThan(BUDGETS.idleTimeoutMs + ANSWER_MS + MARGIN_MS + stallMs);
    await expectNothingOpen(fleet);
  });

  it('the openai SDK sees a cut connection, not a JSON document with an error frame glued on', async () => {
    fleet = await startCaseFleet([{}]);
    fleet.sims[0]!.setFaults([{ kind: 'stall', model: MODEL, remaining: 1 }]);
    const sdk = new OpenAI({ baseURL: `${fleet.relay}/v1`, apiKey: 'unused', maxRetries: 0 });
    const ask = () =>
      sdk.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    const failure = await ask().then(
      () => undefined,
      (error: unknown) => error as Error & { cause?: unknown },
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(SyntaxError);
    expect(`${failure?.message} ${String(failure?.cause)}`).toMatch(/terminated|other side closed/);
    // No bytes of the cut answer are left on a kept-alive connection to be read as the next response.
    const next = await ask();
    expect(next.object).toBe('chat.completion');
    await expectNothingOpen(fleet);
  });
});
