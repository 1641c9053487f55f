import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SimContext } from './call.ts';
import { CONTROL_PREFIX, serveControl } from './control.ts';
import { FaultStore } from './faults.ts';
import { ModelCatalog } from './models.ts';
import { InvalidOptionError, resolveOptions } from './options.ts';
import { serveOllama } from './router.ts';
import { Scheduler } from './scheduler.ts';
import { ConnectionTracker, StatsRecorder } from './stats.ts';
import type { FaultSpec, SimulatorHandle, SimulatorOptions } from './types.ts';

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts a simulated Ollama server and resolves once it listens.
 * @example const sim = await startSimulator({ numParallel: 2, loadTimeMs: 200 }); new Ollama({ host: sim.url })
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const resolved = resolveOptions(options);
  const catalog = new ModelCatalog(resolved.models);
  const scheduler = new Scheduler({
    numParallel: resolved.numParallel,
    maxQueue: resolved.maxQueue,
    maxLoadedModels: resolved.maxLoadedModels,
    loadTimeMs: resolved.loadTimeMs,
    keepAliveMs: resolved.keepAliveMs,
  });
  const connections = new ConnectionTracker();
  const stats = new StatsRecorder(scheduler, catalog, connections);
  let closed = false;
  let port = resolved.port;
  let listenError: string | undefined;

  // Go's server: no read, write or idle timeouts.
  const server = createServer({ keepAliveTimeout: 0, requestTimeout: 0, headersTimeout: 0, noDelay: true });
  const faults = new FaultStore(() => syncListening());
  const sim: SimContext = { options: resolved, catalog, scheduler, faults, stats };

  function syncListening(): void {
    if (closed) return;
    if (faults.refusesListening()) {
      if (server.listening) {
        server.close();
        server.closeAllConnections();
      }
    } else if (!server.listening) {
      server.listen(port, resolved.host);
    }
  }

  const handle: SimulatorHandle & { faults(): FaultSpec[] } = {
    url: '',
    port: 0,
    setFaults: (list) => faults.set(list),
    clearFaults: () => faults.clear(),
    faults: () => faults.list(),
    setNumParallel: (n) => {
      if (!Number.isInteger(n) || n < 1)
        throw new InvalidOptionError(`numParallel must be an integer >= 1, got ${n}`);
      scheduler.setNumParallel(n);
    },
    stats: () => ({ ...stats.snapshot(), ...(listenError === undefined ? {} : { listenError }) }),
    resetStats: () => stats.reset(),
    close: async () => {
      if (closed) return;
      closed = true;
      stats.freeze();
      faults.close();
      scheduler.close();
      const stopped = server.listening
        ? new Promise<void>((resolve) => server.close(() => resolve()))
        : undefined;
      server.closeAllConnections();
      await stopped;
    },
  };

  server.on('connection', (socket: Socket) => {
    connections.socketOpened(socket);
    if (faults.takeConnectionRefusal()) socket.resetAndDestroy();
  });
  server.on('request', (req, res) => {
    const control = req.url?.startsWith(CONTROL_PREFIX) === true;
    if (!control) {
      stats.countRequest();
      connections.requestStarted(res);
    }
    const served = control ? serveControl(handle, req, res) : serveOllama(sim, req, res);
    served.catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(err instanceof Error ? err.message : String(err));
      } else {
        res.destroy();
      }
    });
  });

  await listen(server, resolved.port, resolved.host);
  port = (server.address() as AddressInfo).port;
  // Listening again after a 'refuse' can fail if another process took the port meanwhile.
  server.on('error', (err: Error) => {
    listenError = `listening again on ${resolved.host}:${port} failed: ${err.message}`;
  });
  server.on('listening', () => {
    listenError = undefined;
  });
  handle.port = port;
  handle.url = `http://${urlHost(resolved.host)}:${port}`;
  faults.set(resolved.faults);
  return handle;
}
