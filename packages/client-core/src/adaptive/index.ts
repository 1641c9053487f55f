/** Adaptive concurrency: a per-target limit learned from call events instead of configured. */
export {
  AdaptiveConcurrency,
  type AdaptiveGate,
  type AdaptivePhase,
  type LimitChange,
  type LimitChangeReason,
} from './adaptive-concurrency.ts';
export type { SampleForm } from './call-samples.ts';
export { ADAPTIVE_DEFAULTS, type AdaptiveConcurrencyOptions } from './options.ts';
