#!/usr/bin/env node
// Prints the gzipped size of the production build's JS and CSS (run `pnpm build` first): every file,
// then what the first page load fetches (index.html's script, CSS and modulepreloads) apart from the
// chunks loaded later (charts, alerts, test prompt). `--json` prints one JSON object instead.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = resolve(import.meta.dirname, '..', 'dist');
const assets = join(dist, 'assets');
let html;
try {
  html = readFileSync(join(dist, 'index.html'), 'utf8');
} catch {
  console.error(`no build at ${dist}: run \`pnpm --filter @lookout/web build\` first`);
  process.exit(1);
}

const initial = new Set([...html.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1]));
const files = readdirSync(assets)
  .filter((f) => f.endsWith('.js') || f.endsWith('.css'))
  .map((name) => {
    const bytes = readFileSync(join(assets, name));
    return {
      name,
      kind: name.endsWith('.js') ? 'js' : 'css',
      initial: initial.has(name),
      rawBytes: statSync(join(assets, name)).size,
      gzipBytes: gzipSync(bytes, { level: 9 }).length,
    };
  })
  .sort((a, b) => b.gzipBytes - a.gzipBytes);

const sum = (list, key) => list.reduce((n, f) => n + f[key], 0);
const pick = (kind, initialOnly) => files.filter((f) => f.kind === kind && (!initialOnly || f.initial));
const totals = {
  jsGzipBytes: sum(pick('js'), 'gzipBytes'),
  jsInitialGzipBytes: sum(pick('js', true), 'gzipBytes'),
  cssGzipBytes: sum(pick('css'), 'gzipBytes'),
  jsRawBytes: sum(pick('js'), 'rawBytes'),
};

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ files, ...totals }));
} else {
  const kb = (n) => `${(n / 1024).toFixed(1).padStart(7)} KiB`;
  console.log('file                                        raw          gzip     loaded');
  for (const f of files) {
    console.log(
      `${f.name.padEnd(40)} ${kb(f.rawBytes)} ${kb(f.gzipBytes)}  ${f.initial ? 'first load' : 'later'}`,
    );
  }
  console.log('');
  console.log(`JS  gzip total      ${kb(totals.jsGzipBytes)}`);
  console.log(`JS  gzip first load ${kb(totals.jsInitialGzipBytes)}`);
  console.log(`CSS gzip total      ${kb(totals.cssGzipBytes)}`);
}
