/**
 * Test helper: the per-test setup of the executeCall test files. Each test gets a fresh harness and
 * closes the raw servers it started; after each test every call seen must have exactly one terminal event.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { createHarness, type Harness, terminalsByCall } from './harness.ts';
import { type RawHandler, type RawServer, startRawServer } from './raw-server.ts';

export interface CallSuite {
  /** The running test's harness: the same object throughout, its fields replaced before each test. */
  readonly h: Harness;
  /** Starts a raw server that is closed after the test. */
  server(handler: RawHandler): Promise<RawServer>;
  /** Closes the servers the test started so far (for a test that checks what is left after them). */
  closeServers(): Promise<void>;
}

/** Registers the hooks in the calling test file (or `describe`); call it once, at its top level. */
export function useCallSuite(): CallSuite {
  const h = {} as Harness;
  let servers: RawServer[] = [];
  const closeServers = async (): Promise<void> => {
    const closing = servers;
    servers = [];
    await Promise.all(closing.map((s) => s.close()));
  };
  beforeEach(() => {
    Object.assign(h, createHarness());
    servers = [];
  });
  afterEach(async () => {
    await h.close();
    await closeServers();
    for (const [, terminals] of terminalsByCall(h.sink.events)) expect(terminals).toHaveLength(1);
  });
  return {
    h,
    server: async (handler) => {
      const s = await startRawServer(handler);
      servers.push(s);
      return s;
    },
    closeServers,
  };
}
