import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { type CallEventSink, UpstreamPool } from '@lookout/client-core';
import type { ServerMessage } from '@lookout/contracts';
import type { Hono } from 'hono';
import type { AdminLimits } from './admin/routes.ts';
import { SessionSigner } from './admin/session.ts';
import { AlertService } from './alerts/index.ts';
import type { LookoutConfig } from './config/index.ts';
import { createDashboardApp, type DashboardOptions } from './dashboard/app.ts';
import { RollupJob } from './history/index.ts';
import { LiveHub } from './live/hub.ts';
import { attachLiveUpgrade } from './live/upgrade.ts';
import type { Logger } from './log.ts';
import { MetricsEngine } from './metrics/index.ts';
import { GenerationProber } from './probes/generation-prober.ts';
import { HealthProber } from './probes/health-prober.ts';
import { createRelayListener } from './relay/app.ts';
import { type DrainResult, RelayDrain } from './relay/drain.ts';
import { openStore, type Store } from './store/index.ts';
import { PinnedLimitTable } from './targets/pin-table.ts';
import { TargetRegistry } from './targets/registry.ts';
import { TargetRouter } from './targets/router.ts';
import { TestPromptService, TestRunTable } from './test-prompts/index.ts';

export interface StartOptions {
  config: LookoutConfig;
  adminToken: string;
  log: Logger;
  /** Dashboard listener details tests change: the web app's folder, rate limits and their clock. */
  dashboard?: DashboardOptions & { limits?: Partial<AdminLimits> };
}

export interface RunningLookout {
  relayUrl: string;
  dashboardUrl: string;
  registry: TargetRegistry;
  metrics: MetricsEngine;
  store: Store;
  alerts: AlertService;
  prober: HealthProber;
  generationProber: GenerationProber;
  hub: LiveHub;
  /** The dashboard's routes (tests walk them to prove each one asks for auth). */
  dashboardApp: Hono;
  /**
   * Stops the process gracefully: no new calls, calls in progress may finish for
   * `config.drainTimeoutMs` (or `drainTimeoutMs`), the rest end with Ollama-shaped errors; then the
   * history and alert state are written and the database closed.
   */
  close(options?: { drainTimeoutMs?: number }): Promise<DrainResult>;
}

/** Starts the whole process: the fleet, the probes, the metrics, and both listeners. */
export async function startLookout({
  config,
  adminToken,
  log,
  dashboard,
}: StartOptions): Promise<RunningLookout> {
  const registry = new TargetRegistry(config);
  const router = new TargetRouter(registry.all, config.pools);
  const pool = new UpstreamPool();
  const metrics = new MetricsEngine({
    gauges: {
      targets: () =>
        registry.all.map((t) => ({
          name: t.name,
          url: t.url,
          queueDepth: t.gate.queueDepth,
          inFlight: t.gate.inFlight,
          maxConcurrent: t.gate.limits.maxConcurrent,
          concurrency: t.concurrency.describe(),
          concurrencyChangesTotal: t.concurrency.changesTotal(),
        })),
    },
    targetInfo: {
      info: (name) => {
        const t = registry.get(name);
        if (!t || t.health === 'unknown') return undefined;
        return {
          health: t.health,
          loadedModels: t.loadedModels,
          ...(t.version === undefined ? {} : { version: t.version }),
          ...(t.lastProbeAt === undefined ? {} : { lastProbeAt: t.lastProbeAt }),
          ...(t.lastError === undefined ? {} : { lastError: t.lastError }),
        };
      },
    },
  });
  // Every call event goes to the metrics and to the targets' concurrency limits.
  const sink: CallEventSink = {
    onEvent(event) {
      metrics.onEvent(event);
      registry.onEvent(event);
    },
  };
  const store = openStore(config.dataDir);
  const pins = new PinnedLimitTable(store.db);
  for (const [name, limit] of pins.all()) {
    const target = registry.get(name);
    if (target) target.concurrency.pin(limit);
    else log.warn({ target: name }, 'a pinned concurrency limit names a target no longer configured');
  }
  const rollupJob = new RollupJob({
    metrics,
    rollups: store.rollups,
    retentionMs: config.historyRetentionDays * 24 * 3600 * 1000,
    onError: (error) => log.warn({ code: error.code, err: error.cause }, error.message),
  });

  const prober = new HealthProber({
    targets: registry.all,
    pool,
    sink,
    intervalMs: config.probeIntervalMs,
    log,
  });

  const generationProber = new GenerationProber({
    targets: registry.all,
    pool,
    sink,
    intervalMs: config.generationProbeIntervalMs,
    log,
  });

  const drain = new RelayDrain();
  const relayServer = createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 },
    createRelayListener({ config, registry, router, pool, sink, log, drain }),
  );
  let publicUrl = config.publicUrl ?? '';
  let broadcast: (message: ServerMessage) => void = () => {};
  const alerts = new AlertService({
    db: store.db,
    metrics,
    log,
    webhooks: config.webhooks,
    broadcast: (message) => broadcast(message),
    publicUrl: () => publicUrl,
  });
  const hub = new LiveHub({
    buildSnapshot: () => metrics.buildSnapshot(undefined, alerts.currentStates()),
    log,
  });
  broadcast = (message) => hub.broadcast(message);
  const testPrompts = new TestPromptService({
    registry,
    router,
    pool,
    sink,
    runs: new TestRunTable(store.db),
    broadcast,
    log,
  });
  const sessions = new SessionSigner(adminToken);
  // Behind a proxy that rewrites Host, the dashboard's pages carry the public URL as their Origin.
  const trustedOrigins = config.publicUrl ? [config.publicUrl] : [];
  const dashboardApp = createDashboardApp({
    auth: { adminToken, sessions },
    registry,
    pins,
    metrics,
    store,
    testPrompts,
    alerts,
    metricsPublic: config.metricsPublic,
    log,
    trustedOrigins,
    ...dashboard,
  });
  const dashboardServer = createServer(getRequestListener(dashboardApp.fetch));
  const wss = attachLiveUpgrade(dashboardServer, { adminToken, sessions, hub, trustedOrigins });
  hub.start();

  let relayPort: number;
  let dashboardPort: number;
  try {
    relayPort = await listen(relayServer, config.host, config.relayPort);
    dashboardPort = await listen(dashboardServer, config.host, config.dashboardPort);
  } catch (error) {
    hub.stop();
    wss.close();
    relayServer.close();
    dashboardServer.close();
    await pool.close();
    store.close();
    throw error;
  }
  await prober.probeAll();
  prober.start();
  generationProber.start();
  rollupJob.start();
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  publicUrl ||= `http://${host}:${dashboardPort}`;
  alerts.start();

  return {
    relayUrl: `http://${host}:${relayPort}`,
    dashboardUrl: `http://${host}:${dashboardPort}`,
    registry,
    metrics,
    store,
    alerts,
    prober,
    generationProber,
    hub,
    dashboardApp,
    async close(options = {}) {
      const drainTimeoutMs = options.drainTimeoutMs ?? config.drainTimeoutMs;
      // No new connections; kept-alive ones get a 503 with `Connection: close` if they send another call.
      relayServer.close();
      relayServer.closeIdleConnections();
      if (drain.open > 0) log.info({ open: drain.open, drainTimeoutMs }, 'draining relay calls');
      const relayDrained = drain.drain(drainTimeoutMs);
      await prober.stop();
      generationProber.stop();
      testPrompts.stop();
      hub.stop();
      wss.close();
      await closeServer(dashboardServer);
      const drained = await relayDrained;
      if (drained.cutOff > 0) log.warn({ calls: drained.cutOff }, 'calls ended by the drain timeout');
      await closeServer(relayServer);
      await pool.close();
      // After both listeners closed, so the last calls are counted in the flushed minute.
      await alerts.stop();
      rollupJob.stop();
      const flushed = rollupJob.flush();
      if (!flushed.ok) log.warn({ code: flushed.error.code }, flushed.error.message);
      store.close();
      return drained;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
