import { describe, expect, it } from 'vitest';
import { TargetRegistry } from '../targets/registry.ts';
import { configDir, problemsOf } from './config-fixture.ts';
import { loadConfig } from './load.ts';

describe('concurrency configuration', () => {
  it('is static at LOOKOUT_MAX_CONCURRENT unless told otherwise', () => {
    const { config } = loadConfig({ env: { LOOKOUT_MAX_CONCURRENT: '6' }, argv: [], cwd: configDir() });
    const [target] = new TargetRegistry(config).all;
    expect(target!.concurrency.describe()).toMatchObject({ mode: 'static', limit: 6, baselineMs: null });
    expect(target!.gate.limits.maxConcurrent).toBe(6);
  });

  it('LOOKOUT_CONCURRENCY=adaptive learns every target between the global bounds', () => {
    const { config } = loadConfig({
      env: {
        LOOKOUT_CONCURRENCY: 'adaptive',
        LOOKOUT_ADAPTIVE_MIN_CONCURRENT: '2',
        LOOKOUT_ADAPTIVE_MAX_CONCURRENT: '12',
      },
      argv: [],
      cwd: configDir(),
    });
    const [target] = new TargetRegistry(config).all;
    const state = target!.concurrency.describe();
    expect(state).toMatchObject({ mode: 'adaptive', minLimit: 2, maxLimit: 12 });
    expect(state.limit).toBeGreaterThanOrEqual(2);
    expect(state.limit).toBeLessThanOrEqual(12);
  });

  it('lets a target in lookout.yaml choose its own mode and bounds', () => {
    const cwd = configDir({
      'lookout.yaml': [
        'targets:',
        '  - { name: big, url: "http://127.0.0.1:1", concurrency: { mode: adaptive, min: 3, max: 20 } }',
        '  - { name: small, url: "http://127.0.0.1:2", concurrency: static, maxConcurrent: 2 }',
        '  - { name: plain, url: "http://127.0.0.1:3", concurrency: adaptive }',
        '',
      ].join('\n'),
    });
    const { config } = loadConfig({ env: {}, argv: [], cwd });
    const registry = new TargetRegistry(config);
    expect(registry.get('big')!.concurrency.describe()).toMatchObject({
      mode: 'adaptive',
      minLimit: 3,
      maxLimit: 20,
    });
    expect(registry.get('small')!.concurrency.describe()).toMatchObject({ mode: 'static', limit: 2 });
    expect(registry.get('plain')!.concurrency.describe()).toMatchObject({
      mode: 'adaptive',
      minLimit: 1,
      maxLimit: 16,
    });
  });

  it('names the setting that is wrong', () => {
    expect(problemsOf(() => loadConfig({ cwd: configDir(), env: { LOOKOUT_CONCURRENCY: 'auto' } }))).toEqual([
      'LOOKOUT_CONCURRENCY: must be static or adaptive, got "auto"',
    ]);
    const crossed = problemsOf(() =>
      loadConfig({
        cwd: configDir(),
        env: { LOOKOUT_ADAPTIVE_MIN_CONCURRENT: '8', LOOKOUT_ADAPTIVE_MAX_CONCURRENT: '4' },
      }),
    );
    expect(crossed).toEqual([
      expect.stringMatching(/^LOOKOUT_ADAPTIVE_MAX_CONCURRENT: must be >= adaptiveMinConcurrent \(8\)/),
    ]);
    const cwd = configDir({
      'lookout.yaml':
        'targets:\n  - { name: a, url: "http://127.0.0.1:1", concurrency: { mode: adaptive, min: 9, max: 3 } }\n',
    });
    expect(problemsOf(() => loadConfig({ cwd, env: {} }))).toEqual([
      expect.stringMatching(/targets\[0\]\.concurrency\.max: the adaptive bounds cross: min 9 > max 3/),
    ]);
  });
});
