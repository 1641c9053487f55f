export { FAULT_KINDS, InvalidFaultError } from './faults.ts';
export { InvalidOptionError } from './options.ts';
export { startSimulator } from './server.ts';
export type {
  CancellationPhase,
  CancellationRecord,
  FaultKind,
  FaultSpec,
  ModelStats,
  SimModelSpec,
  SimulatorHandle,
  SimulatorOptions,
  SimulatorStats,
} from './types.ts';
