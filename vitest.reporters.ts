import { resolve } from 'node:path';

/**
 * Reporters for every package's vitest config: the console reporter, plus a JSON report per package
 * under .reports/ when the root test runner asks for one (it sums them into the closing line).
 */
export function reporters(packageName: string): (string | [string, Record<string, unknown>])[] {
  const dir = process.env.LOOKOUT_REPORT_DIR;
  if (!dir) return ['default'];
  const file = resolve(dir, `vitest-${packageName.replace(/[^a-z0-9-]/gi, '_')}.json`);
  return ['default', ['json', { outputFile: file }]];
}
