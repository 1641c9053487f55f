import { startSimulator } from '@lookout/ollama-sim';
import { resolveAdminToken } from './admin/token.ts';
import { ConfigError, loadConfig } from './config/index.ts';
import { TrafficGenerator } from './demo/traffic.ts';
import { createLogger } from './log.ts';
import { startLookout } from './server.ts';

/**
 * `pnpm demo`: Lookout in front of three simulated Ollama instances (different parallelism, one of them
 * flaky, one with an adaptive limit), with background traffic, so the dashboard has something to show within a minute.
 * Settings still apply (e.g. `LOOKOUT_DASHBOARD_PORT`); the targets are the simulators.
 */
async function main(): Promise<void> {
  const sims = await Promise.all([
    startSimulator({
      models: ['llama3.2:1b', 'qwen3:8b', 'nomic-embed-text'],
      numParallel: 4,
      tokensPerSec: 60,
    }),
    // No embedding model here: embedding-only models run one call at a time, which would hold the
    // target's shared adaptive limit down (see the README on pools).
    startSimulator({
      models: ['llama3.2:1b', 'qwen3:8b'],
      numParallel: 2,
      tokensPerSec: 35,
      loadTimeMs: 1500,
    }),
    startSimulator({ models: ['qwen3:8b', 'nomic-embed-text'], numParallel: 1, tokensPerSec: 20 }),
  ]);
  const targets = `gpu-a=${sims[0]!.url},gpu-b=${sims[1]!.url},cpu-c=${sims[2]!.url}`;

  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({
      argv: process.argv.slice(2),
      env: {
        LOOKOUT_DATA_DIR: './data-demo',
        LOOKOUT_PROBE_INTERVAL_MS: '5000',
        LOOKOUT_GENERATION_PROBE_INTERVAL_MS: '15000',
        LOOKOUT_LOG_LEVEL: 'warn',
        ...process.env,
        LOOKOUT_TARGETS: targets,
      },
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`lookout demo: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // gpu-b learns its limit (the others use LOOKOUT_MAX_CONCURRENT), to show what it learns.
  const config = {
    ...loaded.config,
    targets: loaded.config.targets.map((t) =>
      t.name === 'gpu-b' && t.concurrency === undefined ? { ...t, concurrency: 'adaptive' as const } : t,
    ),
  };
  const log = createLogger(config.logLevel);
  const token = resolveAdminToken(config.adminToken, config.dataDir);
  const lookout = await startLookout({ config, adminToken: token.token, log });

  const traffic = new TrafficGenerator({
    relayUrl: lookout.relayUrl,
    chatModels: ['llama3.2:1b', 'qwen3:8b'],
    embedModel: 'nomic-embed-text',
    ratePerSec: 4,
  });
  traffic.start();

  // The flaky one: every 40 s it misbehaves for 8 s, cycling through what real instances do.
  const faults = [
    { kind: 'http_503' as const },
    { kind: 'stall' as const, afterChunks: 3 },
    { kind: 'refuse' as const },
    { kind: 'drip' as const, dripIntervalMs: 400 },
  ];
  let round = 0;
  const flaky = setInterval(() => {
    sims[2]!.setFaults([{ ...faults[round++ % faults.length]!, forMs: 8_000 }]);
  }, 40_000);

  process.stdout.write(
    [
      '',
      'Lookout demo: three simulated Ollama instances with traffic (cpu-c turns flaky every 40 s)',
      `  dashboard    ${lookout.dashboardUrl}`,
      `  admin token  ${token.token}`,
      `  relay        ${lookout.relayUrl}   (try: curl ${lookout.relayUrl}/api/tags)`,
      '  Ctrl-C stops it.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(1);
    stopping = true;
    clearInterval(flaky);
    traffic.stop();
    void lookout
      .close()
      .then(() => Promise.all(sims.map((s) => s.close())))
      .then(() => {
        const s = traffic.stats;
        process.stdout.write(
          `\nstopped: ${s.sent} calls sent, ${s.ok} ok, ${s.failed} failed, ${s.abandoned} abandoned\n`,
        );
        process.exit(0);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`lookout demo: failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
