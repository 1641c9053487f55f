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

describe('RelayTarget.observeProbe', () => {
  const adaptive = () =>
    new TargetRegistry(
      configSchema.parse({
        ...DEFAULTS,
        concurrency: 'adaptive',
        targets: [{ name: 'gpu', url: 'http://127.0.0.1:1' }],
      }),
    ).get('gpu')!;
  const up = { health: 'up' as const, version: '0.12.6', loadedModels: [] };
  const resets = (target: ReturnType<typeof adaptive>) =>
    target.concurrency.describe().changes.filter((c) => c.reason.startsWith('reset'));

  it('has an adaptive limit relearn when the target comes back up or changes version, not on every probe', () => {
    const target = adaptive();
    target.observeProbe(up);
    target.observeProbe(up);
    expect(resets(target)).toEqual([]);
    target.observeProbe({ ...up, health: 'down' });
    target.observeProbe(up);
    expect(resets(target).map((c) => c.reason)).toEqual(['reset: target back up']);
    target.observeProbe({ ...up, version: '0.13.0' });
    expect(resets(target).at(-1)?.reason).toBe('reset: version 0.12.6 -> 0.13.0');
    expect(target.version).toBe('0.13.0');
  });

  it('loaded models and health are recorded as found', () => {
    const target = adaptive();
    const model = { name: 'llama3.2:1b', sizeBytes: 1, sizeVramBytes: 1, expiresAt: '2026-01-01T00:00:00Z' };
    target.observeProbe({ ...up, loadedModels: [model] });
    expect(target.health).toBe('up');
    expect(target.loadedModels).toEqual([model]);
  });
});
