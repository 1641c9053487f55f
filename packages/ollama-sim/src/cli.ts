import { CLI_USAGE, parseCliArgs } from './cli-args.ts';
import { startSimulator } from './server.ts';

/** `pnpm start -- --port 11434 --models llama3.2:1b,nomic-embed-text --parallel 2`: runs until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const parsed = parseCliArgs(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`ollama-sim: ${parsed.message}\n${CLI_USAGE}\n`);
    process.exit(2);
  }
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator(parsed.options);
  } catch (err) {
    process.stderr.write(`ollama-sim: ${(err as Error).message}\n`);
    process.exit(2);
  }
  process.stdout.write(`ollama-sim listening on ${sim.url}\n`);
  const stop = (signal: string) => {
    process.stdout.write(`ollama-sim: ${signal}, stopping\n`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

void main();
