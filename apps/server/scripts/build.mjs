#!/usr/bin/env node
// `pnpm run build`: bundles src/main.ts and src/demo.ts into dist/main.js and dist/demo.js for `node`,
// so production runs without a TypeScript loader (tsx costs a loader thread, keepNames wrappers on every
// closure, and ~45 MiB of idle RSS: 120 MiB against 74 MiB measured here). The workspace packages (@lookout/*) are bundled; npm dependencies stay
// external and are loaded from node_modules as usual (better-sqlite3 must: it is a native addon).
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const SERVER_DIR = join(import.meta.dirname, '..');
const OUT_DIR = join(SERVER_DIR, 'dist');
const pkg = JSON.parse(readFileSync(join(SERVER_DIR, 'package.json'), 'utf8'));
/** What dist/*.js may import from node_modules: the server's runtime dependencies. */
const declared = new Set(Object.keys(pkg.dependencies));

/** `hono/utils/x` -> `hono`, `@scope/name/x` -> `@scope/name`. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** npm packages external (resolved at run time from apps/server); workspace packages bundled. */
const externalNpmPackages = {
  name: 'external-npm-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.path.startsWith('@lookout/')) return undefined;
      const name = packageName(args.path);
      if (!declared.has(name)) {
        return {
          errors: [
            {
              text: `${name} (imported by ${relative(SERVER_DIR, args.importer)}) is not in the dependencies of @lookout/server: add it there so dist/ can load it`,
            },
          ],
        };
      }
      return { path: args.path, external: true };
    });
  },
};

/**
 * A bundled module's `import.meta.url` is the bundle's, not its source file's: rewrite it to the source
 * file's URL (relative to the bundle, so the checkout can move), keeping file-relative lookups such as
 * the dashboard's `new URL('../../../web/dist', import.meta.url)` pointing where they did.
 */
const sourceImportMetaUrl = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromOut = relative(OUT_DIR, args.path).split('\\').join('/');
      const url = `new URL(${JSON.stringify(fromOut)}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

const started = performance.now();
const result = await build({
  absWorkingDir: SERVER_DIR,
  entryPoints: { main: 'src/main.ts', demo: 'src/demo.ts' },
  outdir: OUT_DIR,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  plugins: [externalNpmPackages, sourceImportMetaUrl],
  logLevel: 'warning',
  metafile: true,
});
const outputs = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .map(
    ([file, out]) => `${relative(SERVER_DIR, join(SERVER_DIR, file))} (${Math.round(out.bytes / 1024)} KiB)`,
  );
process.stdout.write(`built ${outputs.join(', ')} in ${Math.round(performance.now() - started)} ms\n`);
