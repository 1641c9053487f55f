#!/usr/bin/env node
// Runs every suite (each package's vitest, then the Playwright e2e) one package at a time, so timing
// tests do not fight over two cores, and ends with one line "N passed, N failed" summed over all suites.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const reportDir = join(root, '.reports');
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });

const suites = workspacePackages().filter((p) => p.scripts.test);
const extraArgs = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

for (const suite of suites) {
  console.log(`\n=== ${suite.name} ===`);
  const before = new Set(readdirSync(reportDir));
  const run = spawnSync('pnpm', ['--filter', suite.name, 'run', 'test', ...extraArgs], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, LOOKOUT_REPORT_DIR: reportDir },
  });
  const reports = readdirSync(reportDir).filter((f) => !before.has(f));
  const counts = reports.map((f) => countReport(join(reportDir, f)));
  const sum = counts.reduce((a, c) => ({ p: a.p + c.p, f: a.f + c.f, s: a.s + c.s }), { p: 0, f: 0, s: 0 });
  // A suite that exits non-zero without reporting a failed test crashed: count it as one failure.
  if (run.status !== 0 && sum.f === 0) {
    console.log(
      `${suite.name}: exited with ${run.status ?? run.signal} and reported no failed test; counted as 1 failed`,
    );
    sum.f = 1;
  }
  console.log(`${suite.name}: ${sum.p} passed, ${sum.f} failed, ${sum.s} skipped`);
  passed += sum.p;
  failed += sum.f;
  skipped += sum.s;
}

// Static checks count as one test each: a type error or a lint error fails CI like a failing test.
for (const [name, args] of [
  ['typecheck', ['run', 'typecheck']],
  ['lint', ['run', 'lint']],
]) {
  console.log(`\n=== ${name} ===`);
  const run = spawnSync('pnpm', args, { cwd: root, stdio: 'inherit' });
  if (run.status === 0) passed++;
  else failed++;
  console.log(`${name}: ${run.status === 0 ? 'passed' : 'failed'}`);
}

console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);

function workspacePackages() {
  const dirs = [];
  for (const parent of ['packages', 'apps']) {
    const abs = join(root, parent);
    if (!existsSync(abs)) continue;
    for (const d of readdirSync(abs).sort()) dirs.push(join(abs, d));
  }
  dirs.push(join(root, 'test-e2e')); // last: it needs everything else working
  return dirs
    .filter((d) => existsSync(join(d, 'package.json')))
    .map((d) => {
      const pkg = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8'));
      return { dir: d, name: pkg.name, scripts: pkg.scripts ?? {} };
    });
}

/** Reads a vitest JSON report or a Playwright JSON report. */
function countReport(file) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof r.numPassedTests === 'number') {
    return { p: r.numPassedTests, f: r.numFailedTests, s: r.numPendingTests + (r.numTodoTests ?? 0) };
  }
  if (r.stats && typeof r.stats.expected === 'number') {
    return { p: r.stats.expected + r.stats.flaky, f: r.stats.unexpected, s: r.stats.skipped };
  }
  throw new Error(`unknown report format: ${file}`);
}
