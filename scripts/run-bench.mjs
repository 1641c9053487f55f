#!/usr/bin/env node
// `pnpm bench [-- [--quick] [name ...] [relay flags]]`: runs the benchmarks one after the other (never
// in parallel: they measure speed on a shared machine) and prints each one's report.
// Names: client-core, adaptive, metrics, live, web, relay (default: all). --quick goes down to every bench; other flags
// (e.g. --node-baseline, --rounds 5) go to the relay bench, and the web bench's own (--full-series,
// --profile, --build, --screenshot) to it too. Exits non-zero if a bench fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const serverDir = join(root, 'apps', 'server');

const BENCHES = [
  {
    name: 'client-core',
    file: join(root, 'packages', 'client-core', 'bench', 'index.ts'),
    command: (quick) => ['pnpm', ['--filter', '@lookout/client-core', 'run', 'bench', ...quick]],
    cwd: root,
  },
  {
    name: 'adaptive',
    file: join(root, 'packages', 'client-core', 'bench', 'adaptive.ts'),
    command: (quick) => [
      'pnpm',
      ['--filter', '@lookout/client-core', 'exec', 'tsx', 'bench/adaptive.ts', ...quick],
    ],
    cwd: root,
  },
  {
    name: 'metrics',
    file: join(serverDir, 'bench', 'metrics.bench.ts'),
    command: (quick) => [
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'bench/metrics.bench.ts', ...quick],
    ],
    cwd: serverDir,
  },
  {
    name: 'live',
    file: join(serverDir, 'bench', 'live', 'index.ts'),
    command: (quick) => [process.execPath, ['--import', 'tsx', 'bench/live/index.ts', ...quick]],
    cwd: serverDir,
  },
  {
    name: 'web',
    file: join(root, 'apps', 'web', 'bench', 'live-update.ts'),
    command: (quick, extra) => [
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/live-update.ts',
        ...quick,
        ...extra.filter((f) => ['--full-series', '--profile', '--build', '--screenshot'].includes(f)),
      ],
    ],
    cwd: join(root, 'apps', 'web'),
  },
  {
    name: 'relay',
    file: join(serverDir, 'bench', 'relay', 'index.ts'),
    command: (quick, extra) => [
      process.execPath,
      ['--import', 'tsx', 'bench/relay/index.ts', ...quick, ...extra],
    ],
    cwd: serverDir,
  },
];

const given = process.argv.slice(2).filter((a) => a !== '--');
if (given.includes('--help') || given.includes('-h')) {
  console.log(`Usage: pnpm bench [-- [--quick] [${BENCHES.map((b) => b.name).join('|')} ...] [relay flags]]`);
  process.exit(0);
}
const quick = given.includes('--quick') ? ['--quick'] : [];
const names = [];
const relayFlags = [];
for (let i = 0; i < given.length; i++) {
  const arg = given[i];
  if (arg === '--quick') continue;
  if (arg.startsWith('--')) {
    relayFlags.push(arg);
    // A flag's value (the next argument when it is not a flag or a bench name) goes with it.
    const next = given[i + 1];
    if (next !== undefined && !next.startsWith('--') && !BENCHES.some((b) => b.name === next)) {
      relayFlags.push(next);
      i++;
    }
  } else names.push(arg);
}
const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}; one of: ${BENCHES.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
const selected = names.length > 0 ? BENCHES.filter((b) => names.includes(b.name)) : BENCHES;

const failures = [];
for (const bench of selected) {
  console.log(`\n=== bench: ${bench.name} ===\n`);
  if (!existsSync(bench.file)) {
    const message = `${bench.name}: skipped, ${bench.file} does not exist`;
    console.log(message);
    if (names.includes(bench.name)) failures.push(message);
    continue;
  }
  const [command, args] = bench.command(quick, relayFlags);
  const run = spawnSync(command, args, {
    cwd: bench.cwd,
    stdio: 'inherit',
    env: {
      ...process.env,
      LOOKOUT_BENCH_COMMAND: given.length > 0 ? `pnpm bench -- ${given.join(' ')}` : 'pnpm bench',
    },
  });
  if (run.signal === 'SIGINT' || run.status === 130) {
    console.error(`\n${bench.name}: interrupted`);
    process.exit(130);
  }
  if (run.error || run.status !== 0) {
    failures.push(`${bench.name}: ${run.error?.message ?? `exited with ${run.status ?? run.signal}`}`);
  }
}

if (failures.length > 0) {
  console.error(`\n${failures.length} bench(es) failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`\n${selected.length} bench(es) done`);
