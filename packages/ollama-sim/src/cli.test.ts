import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcess[] = [];

function runCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: packageDir });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('parseCliArgs', () => {
  it('maps flags to options', () => {
    expect(
      parseCliArgs([
        '--',
        '--port',
        '11434',
        '--models',
        'llama3.2:1b, nomic-embed-text',
        '--parallel=2',
        '--check-host',
      ]),
    ).toEqual({
      ok: true,
      options: { port: 11434, models: ['llama3.2:1b', 'nomic-embed-text'], numParallel: 2, checkHost: true },
    });
  });

  it.each([
    [['--nope'], 'unknown flag "--nope"'],
    [['--port'], '--port needs a value'],
    [['--port', 'x'], '--port must be an integer from 0 to 65535, got "x"'],
    [['--parallel', '0'], '--parallel must be an integer >= 1, got "0"'],
    [['--load-time-ms', '-5'], '--load-time-ms must be a number >= 0, got "-5"'],
    [['--tokens-per-sec', 'fast'], '--tokens-per-sec must be a number >= 0, got "fast"'],
  ])('%j -> %s', (args, message) => {
    expect(parseCliArgs(args)).toEqual({ ok: false, message });
  });
});

describe('the CLI', () => {
  it('prints its URL, serves, and stops cleanly on SIGTERM', async () => {
    const cli = runCli(['--port', '0', '--models', 'llama3.2:1b,nomic-embed-text', '--parallel', '2']);
    const deadline = Date.now() + 15_000;
    while (!/http:\/\/127\.0\.0\.1:\d+/.test(cli.stdout()) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(cli.stdout())?.[0];
    expect(url).toBeDefined();
    const tags = (await (await fetch(`${url}/api/tags`)).json()) as { models: { name: string }[] };
    expect(tags.models.map((m) => m.name)).toEqual(['llama3.2:1b', 'nomic-embed-text:latest']);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('exits 2 naming a bad flag', async () => {
    const cli = runCli(['--max-queue', 'lots']);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toContain('--max-queue must be an integer >= 0, got "lots"');
  });
});
