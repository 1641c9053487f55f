import { validateFaults } from './faults.ts';
import type { FaultSpec, SimModelSpec, SimulatorOptions } from './types.ts';

/** Options with every default filled in. */
export interface ResolvedOptions {
  host: string;
  port: number;
  models: (string | SimModelSpec)[];
  numParallel: number;
  maxQueue: number;
  maxLoadedModels: number;
  loadTimeMs: number;
  keepAliveMs: number;
  /** Gap between two tokens; 0 = as fast as possible. */
  tokenIntervalMs: number;
  /** Milliseconds one prompt token costs; 0 = instant. */
  promptTokenMs: number;
  tokensPerResponse: number;
  checkHost: boolean;
  version: string;
  faults: FaultSpec[];
  seed: number;
  deterministicTimestamps: boolean;
  pullableModels: string[] | undefined;
  pullProgressIntervalMs: number;
}

/** Bad simulator options; the message names the option and the value. */
export class InvalidOptionError extends Error {
  readonly code = 'SIM_INVALID_OPTION';
}

function integerAtLeast(name: string, value: number | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidOptionError(`${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function msAtLeastZero(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new InvalidOptionError(`${name} must be a number >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** 0 or Infinity mean "as fast as possible": no gap. */
function rateToIntervalMs(name: string, perSec: number | undefined, fallbackPerSec: number): number {
  const rate = msAtLeastZero(name, perSec, fallbackPerSec);
  return rate === 0 || rate === Number.POSITIVE_INFINITY ? 0 : 1000 / rate;
}

/** Fills the defaults of {@link SimulatorOptions}; throws InvalidOptionError on a bad value. */
export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const models = options.models ?? ['llama3.2:1b', 'nomic-embed-text'];
  if (!Array.isArray(models)) throw new InvalidOptionError('models must be an array of names or specs');
  let faults: FaultSpec[];
  try {
    faults = validateFaults(options.faults ?? []);
  } catch (err) {
    throw new InvalidOptionError((err as Error).message);
  }
  return {
    host: options.host ?? '127.0.0.1',
    port: integerAtLeast('port', options.port, 0, 0),
    models,
    numParallel: integerAtLeast('numParallel', options.numParallel, 1, 1),
    maxQueue: integerAtLeast('maxQueue', options.maxQueue, 0, 512),
    maxLoadedModels: integerAtLeast('maxLoadedModels', options.maxLoadedModels, 1, 3),
    loadTimeMs: msAtLeastZero('loadTimeMs', options.loadTimeMs, 0),
    keepAliveMs: msAtLeastZero('keepAliveMs', options.keepAliveMs, 300_000),
    tokenIntervalMs: rateToIntervalMs('tokensPerSec', options.tokensPerSec, 1000),
    promptTokenMs: rateToIntervalMs('promptTokensPerSec', options.promptTokensPerSec, 100_000),
    tokensPerResponse: integerAtLeast('tokensPerResponse', options.tokensPerResponse, 0, 12),
    checkHost: options.checkHost ?? false,
    version: options.version ?? '0.12.6',
    faults,
    seed: options.seed ?? 0,
    deterministicTimestamps: options.deterministicTimestamps ?? false,
    pullableModels: options.pullableModels,
    pullProgressIntervalMs: msAtLeastZero('pullProgressIntervalMs', options.pullProgressIntervalMs, 5),
  };
}
