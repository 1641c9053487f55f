/**
 * The soak's simulators, in a process of their own so that their memory (the simulator keeps every
 * cancellation it saw) stays out of the heap the soak measures. Started by `SimulatorFleet` with its
 * options as JSON in argv[2]; reports `{type:"ready", urls}` over IPC, then serves requests to set and
 * clear faults and to read stats, and stops when the parent disconnects.
 */
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from '@lookout/ollama-sim';
import type { SimRequest, SimResponse } from './sims.ts';

const options = JSON.parse(process.argv[2] ?? '[]') as SimulatorOptions[];
const sims: SimulatorHandle[] = await Promise.all(options.map((o) => startSimulator(o)));

function send(message: SimResponse | { type: 'ready'; urls: string[] }): void {
  process.send?.(message);
}

function serve(request: SimRequest): unknown {
  const sim = sims[request.sim];
  if (!sim) throw new RangeError(`no simulator ${request.sim}`);
  switch (request.op) {
    case 'setFaults':
      sim.setFaults(request.faults);
      return undefined;
    case 'clearFaults':
      sim.clearFaults();
      return undefined;
    case 'stats':
      return sim.stats();
  }
}

process.on('message', (request: SimRequest) => {
  try {
    send({ type: 'reply', id: request.id, ok: true, value: serve(request) });
  } catch (error) {
    send({
      type: 'reply',
      id: request.id,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});

process.on('disconnect', () => {
  void Promise.all(sims.map((s) => s.close())).then(() => process.exit(0));
});

send({ type: 'ready', urls: sims.map((s) => s.url) });
