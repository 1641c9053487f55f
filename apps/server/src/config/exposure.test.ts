import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exposureProblem, isLoopbackHost } from './exposure.ts';
import { ConfigError, loadConfig } from './load.ts';

describe('isLoopbackHost', () => {
  it('knows 127/8, ::1 and localhost, and nothing else', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      'localhost',
      'LOCALHOST',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.5',
      '128.0.0.1',
      '::2',
      '::ffff:10.0.0.1',
      'example.com',
      'localhost.example.com',
      '127.0.0.1.nip.io',
    ]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe('exposureProblem', () => {
  it('refuses a non-loopback host without a configured admin token, naming where the host came from', () => {
    expect(exposureProblem({ host: '127.0.0.1', adminToken: undefined })).toBeUndefined();
    expect(exposureProblem({ host: '0.0.0.0', adminToken: 'a-chosen-token-0123456789' })).toBeUndefined();
    const problem = exposureProblem({ host: '0.0.0.0', adminToken: undefined }, { host: '--host' });
    expect(problem?.key).toBe('--host');
    expect(problem?.message).toMatch(/binds 0\.0\.0\.0, which other machines can reach/);
    expect(problem?.message).toMatch(/LOOKOUT_ADMIN_TOKEN/);
  });

  it('is part of loadConfig', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lookout-cfg-'));
    const load =
      (env: Record<string, string>, argv: string[] = []) =>
      () =>
        loadConfig({ env, argv, cwd });
    expect(load({ LOOKOUT_HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(load({ LOOKOUT_HOST: '0.0.0.0' })).toThrow(/LOOKOUT_HOST: binds 0\.0\.0\.0/);
    expect(load({}, ['--host', '10.1.2.3'])).toThrow(/--host: binds 10\.1\.2\.3/);
    expect(
      load({ LOOKOUT_HOST: '0.0.0.0', LOOKOUT_ADMIN_TOKEN: 'a-chosen-token-0123456789' })(),
    ).toMatchObject({
      config: { host: '0.0.0.0' },
    });
    expect(load({ LOOKOUT_HOST: 'localhost' })().config.host).toBe('localhost');
  });
});

describe('main.ts on a non-loopback host without a token', () => {
  it('exits with code 2 and says why and what to set, before creating anything', async () => {
    const serverDir = fileURLToPath(new URL('../../', import.meta.url));
    const dataDir = join(mkdtempSync(join(tmpdir(), 'lookout-exposed-')), 'data');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !k.startsWith('LOOKOUT_')) env[k] = v;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: {
        ...env,
        LOOKOUT_HOST: '0.0.0.0',
        LOOKOUT_DATA_DIR: dataDir,
        LOOKOUT_RELAY_PORT: '0',
        LOOKOUT_DASHBOARD_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += String(d);
    });
    child.stdout.on('data', (d: Buffer) => {
      stdout += String(d);
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`still running after 15 s:\n${stdout}\n${stderr}`)),
          15_000,
        );
        child.once('exit', (c) => resolve(c));
      });
      expect(code).toBe(2);
      expect(stderr).toMatch(/LOOKOUT_HOST: binds 0\.0\.0\.0, which other machines can reach/);
      expect(stderr).toMatch(/Set LOOKOUT_ADMIN_TOKEN/);
      expect(stdout).not.toMatch(/Lookout dashboard/);
      expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]); // no token file was made
    } finally {
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
