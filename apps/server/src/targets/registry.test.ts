import { describe, expect, it } from 'vitest';
import { configSchema, DEFAULTS } from '../config/index.ts';
import { TargetRegistry } from './registry.ts';

describe('RelayTarget.policyFor', () => {
  const config = configSchema.parse({
    ...DEFAULTS,
    firstByteTimeoutMs: 1000,
    maxConcurrent: 3,
    targets: [
      {
        name: 'big',
        url: 'http://127.0.0.1:1',
        maxConcurrent: 8,
        idleTimeoutMs: 2000,
        models: { 'llama3.1:70b': { firstByteTimeoutMs: 9000, maxRetries: 0 } },
      },
      { name: 'small', url: 'http://127.0.0.1:2' },
    ],
    models: { 'llama3.1:70b': { firstByteTimeoutMs: 5000, totalTimeoutMs: 7000 }, nomic: { maxRetries: 5 } },
  });
  const registry = new TargetRegistry(config);
  const big = registry.get('big')!;
  const small = registry.get('small')!;

  it('layers global < global model < target < target model', () => {
    expect(big.policyFor('llama3.1:70b')).toEqual({
      timeouts: {
        connectTimeoutMs: 5000,
        firstByteTimeoutMs: 9000,
        idleTimeoutMs: 2000,
        totalTimeoutMs: 7000,
      },
      maxRetries: 0,
    });
    expect(small.policyFor('llama3.1:70b').timeouts.firstByteTimeoutMs).toBe(5000);
    expect(small.policyFor('qwen3:8b').timeouts.firstByteTimeoutMs).toBe(1000);
    expect(big.policyFor(undefined).timeouts.idleTimeoutMs).toBe(2000);
  });

  it('matches model overrides on canonical names', () => {
    expect(small.policyFor('nomic:latest').maxRetries).toBe(5);
    expect(small.policyFor('nomic').maxRetries).toBe(5);
  });

  it('sizes each gate from the target, else the global limits', () => {
    expect(big.gate.limits.maxConcurrent).toBe(8);
    expect(small.gate.limits).toMatchObject({ maxConcurrent: 3, maxQueue: 64, queueTimeoutMs: 30000 });
  });
});
