import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, configSchema, flagName, loadConfig, SETTINGS } from './index.ts';

const RUNS = 150;
const dir = mkdtempSync(join(tmpdir(), 'lookout-cfg-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV_NAMES = [...SETTINGS.map((s) => s.env), 'LOOKOUT_TARGETS'];
const FLAGS = [...SETTINGS.map(flagName), '--targets'];

/** Values that are often right for some setting, and anything else. */
const settingText = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '80',
    '11436',
    '65536',
    '-1',
    '1e3',
    'true',
    'off',
    'yes',
    '127.0.0.1',
    '0.0.0.0',
    '::1',
    'debug',
    'loud',
    'a-long-enough-admin-token-1234',
    'short',
    'http://127.0.0.1:11434',
    'a=http://127.0.0.1:1,b=http://127.0.0.1:2',
    'a=http://x:1,a=http://y:2',
    'gpu=ftp://x',
    ',,,',
    'key-one-12345678,key-two-12345678',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const env = fc.dictionary(fc.constantFrom(...ENV_NAMES), settingText, { maxKeys: 8 });

const argv = fc.array(
  fc.oneof(
    fc.constantFrom(...FLAGS),
    fc.constantFrom(...FLAGS).chain((f) => settingText.map((v) => `${f}=${v}`)),
    settingText,
    fc.constantFrom('--', '--nope', '-x', '--=', '--host='),
  ),
  { maxLength: 8 },
);

/** YAML-ish text: broken documents, documents of any values, and settings of any shape. */
const yamlText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '',
    '---\n',
    '- a\n- b\n',
    'host: [unclosed',
    'a: &x [*x]\n',
    'a: &a [1,2]\nb: [*a,*a,*a,*a]\nc: [*b,*b,*b,*b]\nd: [*c,*c,*c,*c]\n',
    'targets: !!binary aGVsbG8=\n',
    'relayPort: !!float .nan\n',
    'targets:\n  - name: x\n    url: http://127.0.0.1:1\n    models: {m: {connectTimeoutMs: 0}}\n',
    '%YAML 1.1\n---\nmetricsPublic: yes\n',
    '? [complex, key]\n: value\n',
    'dup: 1\ndup: 2\n',
  ),
  fc.anything({ maxDepth: 3 }).map((v) => {
    try {
      return stringify(v);
    } catch {
      return String(v);
    }
  }),
  fc
    .dictionary(
      fc.constantFrom(...SETTINGS.map((s) => s.key), 'targets', 'pools', 'models', 'webhooks', 'unknownKey'),
      fc.jsonValue({ maxDepth: 3 }),
      { maxKeys: 6 },
    )
    .map((o) => stringify(o)),
);

describe('loadConfig on arbitrary input', () => {
  it('returns a valid config or throws a ConfigError naming keys, nothing else', () => {
    let refused = 0;
    let n = 0;
    fc.assert(
      fc.property(env, argv, fc.option(yamlText, { nil: undefined, freq: 3 }), (envVars, args, yaml) => {
        const file = join(dir, `c${n++}.yaml`);
        if (yaml !== undefined) writeFileSync(file, yaml);
        const input = {
          env: { ...envVars, ...(yaml === undefined ? {} : { LOOKOUT_CONFIG: file }) },
          // A --config among arbitrary flags would read arbitrary paths: never give one.
          argv: args.filter((a) => !a.startsWith('--config')),
          cwd: dir,
        };
        try {
          const result = loadConfig(input);
          expect(configSchema.safeParse(result.config).success).toBe(true);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          refused++;
          expect(error.problems.length).toBeGreaterThan(0);
          for (const p of error.problems) {
            expect(typeof p.key === 'string' && p.key.length > 0).toBe(true);
            expect(typeof p.message === 'string' && p.message.length > 0).toBe(true);
          }
        }
      }),
      { numRuns: RUNS },
    );
    expect(refused).toBeGreaterThan(0);
  });

  it('loads any valid combination of settings to exactly those values, env below flags', () => {
    const valid = fc.record(
      {
        LOOKOUT_RELAY_PORT: fc.integer({ min: 1024, max: 30_000 }),
        LOOKOUT_DASHBOARD_PORT: fc.integer({ min: 30_001, max: 65_535 }),
        LOOKOUT_MAX_CONCURRENT: fc.integer({ min: 1, max: 1024 }),
        LOOKOUT_IDLE_TIMEOUT_MS: fc.integer({ min: 1, max: 86_400_000 }),
        LOOKOUT_METRICS_PUBLIC: fc.constantFrom('1', '0', 'true', 'FALSE', ' yes ', 'off'),
        LOOKOUT_LOG_LEVEL: fc.constantFrom('error', 'warn', 'info', 'debug'),
        LOOKOUT_TARGETS: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), {
          minLength: 1,
          maxLength: 4,
        }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        valid,
        fc.option(fc.integer({ min: 1, max: 1024 }), { nil: undefined }),
        (v, flagConcurrent) => {
          const envVars: Record<string, string> = {};
          for (const [k, value] of Object.entries(v)) {
            envVars[k] = Array.isArray(value)
              ? value.map((name, i) => `${name}=http://127.0.0.1:${20_000 + i}`).join(',')
              : String(value);
          }
          const argv = flagConcurrent === undefined ? [] : ['--max-concurrent', String(flagConcurrent)];
          const { config } = loadConfig({ env: envVars, argv, cwd: dir });
          if (v.LOOKOUT_RELAY_PORT !== undefined) expect(config.relayPort).toBe(v.LOOKOUT_RELAY_PORT);
          if (v.LOOKOUT_DASHBOARD_PORT !== undefined)
            expect(config.dashboardPort).toBe(v.LOOKOUT_DASHBOARD_PORT);
          expect(config.maxConcurrent).toBe(flagConcurrent ?? v.LOOKOUT_MAX_CONCURRENT ?? 4);
          if (v.LOOKOUT_IDLE_TIMEOUT_MS !== undefined)
            expect(config.idleTimeoutMs).toBe(v.LOOKOUT_IDLE_TIMEOUT_MS);
          if (v.LOOKOUT_METRICS_PUBLIC !== undefined) {
            expect(config.metricsPublic).toBe(/^(1|true|yes)$/i.test(v.LOOKOUT_METRICS_PUBLIC.trim()));
          }
          if (v.LOOKOUT_LOG_LEVEL !== undefined) expect(config.logLevel).toBe(v.LOOKOUT_LOG_LEVEL);
          if (v.LOOKOUT_TARGETS !== undefined)
            expect(config.targets.map((t) => t.name)).toEqual(v.LOOKOUT_TARGETS);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
