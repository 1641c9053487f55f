import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDir, problemsOf } from './config-fixture.ts';
import { loadConfig } from './load.ts';

describe('loadConfig', () => {
  it('gives the documented defaults with nothing set', () => {
    const { config } = loadConfig({ env: {}, argv: [], cwd: configDir() });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      relayPort: 11435,
      dashboardPort: 11436,
      dataDir: './data',
      connectTimeoutMs: 5000,
      firstByteTimeoutMs: 120000,
      idleTimeoutMs: 30000,
      totalTimeoutMs: 600000,
      maxConcurrent: 4,
      maxQueue: 64,
      queueTimeoutMs: 30000,
      maxRetries: 2,
      probeIntervalMs: 10000,
      relayKeys: [],
      targets: [{ name: 'local', url: 'http://127.0.0.1:11434' }],
    });
  });

  it('layers defaults < lookout.yaml < env < flags', () => {
    const cwd = configDir({ 'lookout.yaml': 'maxConcurrent: 8\nmaxQueue: 10\nidleTimeoutMs: 1000\n' });
    const { config, origins } = loadConfig({
      cwd,
      env: { LOOKOUT_MAX_QUEUE: '20', LOOKOUT_IDLE_TIMEOUT_MS: '2000' },
      argv: ['--idle-timeout-ms', '3000'],
    });
    expect(config.maxConcurrent).toBe(8);
    expect(config.maxQueue).toBe(20);
    expect(config.idleTimeoutMs).toBe(3000);
    expect(origins.maxQueue).toBe('LOOKOUT_MAX_QUEUE');
    expect(origins.idleTimeoutMs).toBe('--idle-timeout-ms');
  });

  it('parses LOOKOUT_TARGETS with and without names, keeping file overrides of the same name', () => {
    const cwd = configDir({
      'lookout.yaml': 'targets:\n  - name: gpu\n    url: http://10.0.0.1:11434\n    maxConcurrent: 2\n',
    });
    const { config } = loadConfig({
      cwd,
      env: { LOOKOUT_TARGETS: 'gpu=http://127.0.0.1:9000/, http://localhost:9001' },
    });
    expect(config.targets).toEqual([
      { name: 'gpu', url: 'http://127.0.0.1:9000', maxConcurrent: 2 },
      { name: 'localhost-9001', url: 'http://localhost:9001' },
    ]);
  });

  it('reads --config and --flag=value forms', () => {
    const d = configDir({ 'other.yaml': 'relayPort: 9100\n' });
    const { config, configFile } = loadConfig({
      cwd: d,
      env: {},
      argv: ['--config', 'other.yaml', '--dashboard-port=9101', '--metrics-public'],
    });
    expect(configFile).toBe(join(d, 'other.yaml'));
    expect(config.relayPort).toBe(9100);
    expect(config.dashboardPort).toBe(9101);
    expect(config.metricsPublic).toBe(true);
  });

  it('names the env variable that is wrong', () => {
    const problems = problemsOf(() =>
      loadConfig({ cwd: configDir(), env: { LOOKOUT_RELAY_PORT: 'abc', LOOKOUT_MAX_CONCURRENT: '0' } }),
    );
    expect(problems).toEqual(['LOOKOUT_RELAY_PORT: expected a whole number, got "abc"']);
    const range = problemsOf(() => loadConfig({ cwd: configDir(), env: { LOOKOUT_MAX_CONCURRENT: '0' } }));
    expect(range[0]).toMatch(/^LOOKOUT_MAX_CONCURRENT: .*>=\s*1/);
  });

  it('names the file key that is wrong, and unknown keys', () => {
    const cwd = configDir({
      'lookout.yaml': 'targets:\n  - name: a\n    url: ftp://x\nrelayPrt: 1\n',
    });
    const problems = problemsOf(() => loadConfig({ cwd, env: {} }));
    expect(problems).toContainEqual(
      expect.stringMatching(/lookout\.yaml: targets\[0\]\.url: expected an http/),
    );
    expect(problems).toContainEqual(expect.stringMatching(/lookout\.yaml: unknown key "relayPrt"/));
  });

  it('reports YAML syntax errors with the file', () => {
    const cwd = configDir({ 'lookout.yaml': 'targets: [\n' });
    const problems = problemsOf(() => loadConfig({ cwd, env: {} }));
    expect(problems[0]).toMatch(/lookout\.yaml: YAML: /);
  });

  it('refuses unknown flags, duplicate targets and pools naming unknown targets', () => {
    expect(problemsOf(() => loadConfig({ cwd: configDir(), env: {}, argv: ['--relay-prot', '1'] }))).toEqual([
      '--relay-prot: unknown flag (see the configuration table in README.md)',
    ]);
    const cwd = configDir({
      'lookout.yaml': 'pools:\n  - name: emb\n    models: ["*embed*"]\n    targets: [nope]\n',
    });
    const problems = problemsOf(() =>
      loadConfig({ cwd, env: { LOOKOUT_TARGETS: 'a=http://127.0.0.1:1,a=http://127.0.0.1:2' } }),
    );
    expect(problems).toContain('LOOKOUT_TARGETS[1].name: duplicate target "a"');
    expect(problems).toContainEqual(expect.stringMatching(/pools\[0\]\.targets\[0\]: unknown target "nope"/));
  });

  it('an explicit --config that does not exist is an error', () => {
    const problems = problemsOf(() =>
      loadConfig({ cwd: configDir(), env: {}, argv: ['--config', 'missing.yaml'] }),
    );
    expect(problems[0]).toMatch(/missing\.yaml: cannot read/);
  });
});
