/**
 * `pnpm soak`: the long soak (5 minutes by default). Prints the summary, writes `.reports/soak.json` at
 * the repository root, exits 0 when every check passed and 1 otherwise. Run with --expose-gc (the
 * package script does) so heap samples follow a full collection.
 */
import { fileURLToPath } from 'node:url';
import { LONG_RUN, parseArgs, USAGE } from './options.ts';
import { summaryText, writeReport } from './report.ts';
import { runSoak } from './runner.ts';

const DEFAULT_REPORT = fileURLToPath(new URL('../../../.reports/soak.json', import.meta.url));

async function main(): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(process.argv.slice(2), { ...LONG_RUN, reportPath: DEFAULT_REPORT });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const result = await runSoak({ ...options, log: (line) => console.log(line) });
  console.log(`\n${summaryText(result)}`);
  if (options.reportPath) {
    writeReport(options.reportPath, result);
    console.log(`\nreport: ${options.reportPath}`);
  }
  return result.passed ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
