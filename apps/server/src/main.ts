import { resolveAdminToken } from './admin/token.ts';
import { ConfigError, isLoopbackHost, loadConfig } from './config/index.ts';
import { createLogger } from './log.ts';
import { startLookout } from './server.ts';
import { isStoreError } from './store/index.ts';

/** `pnpm start`: load the configuration, start both listeners, stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({ argv: process.argv.slice(2) });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`lookout: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const { config, configFile } = loaded;
  const log = createLogger(config.logLevel);
  if (!isLoopbackHost(config.host) && config.relayKeys.length === 0) {
    // Like Ollama itself, but worth a line: anyone who reaches the port can use the GPUs.
    log.warn(
      { host: config.host },
      'the relay accepts calls from any machine that reaches it; set LOOKOUT_RELAY_KEYS to require a key',
    );
  }
  const token = resolveAdminToken(config.adminToken, config.dataDir);
  const lookout = await startLookout({ config, adminToken: token.token, log });

  const lines = [
    `Lookout relay      ${lookout.relayUrl}   (point Ollama clients here)`,
    `Lookout dashboard  ${lookout.dashboardUrl}`,
    `targets            ${config.targets.map((t) => `${t.name}=${t.url}`).join(', ')}`,
  ];
  if (configFile) lines.push(`config             ${configFile}`);
  if (token.source === 'generated') {
    lines.push(`admin token        ${token.token}   (shown once; saved in ${token.file})`);
  } else if (token.source === 'file') lines.push(`admin token        in ${token.file}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1); // a second Ctrl-C does not wait
    stopping = true;
    log.info({ signal, drainTimeoutMs: config.drainTimeoutMs }, 'stopping: draining relay calls');
    lookout.close().then(
      (drained) => {
        log.info({ ...drained }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (isStoreError(error)) {
    process.stderr.write(`lookout: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`lookout: failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
