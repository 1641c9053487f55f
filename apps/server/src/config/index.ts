export { exposureProblem, isLoopbackHost } from './exposure.ts';
export {
  ConfigError,
  type ConfigProblem,
  type LoadConfigInput,
  type LoadedConfig,
  loadConfig,
} from './load.ts';
export {
  configSchema,
  DEFAULTS,
  type GenerationProbeConfig,
  type LookoutConfig,
  type ModelOverrides,
  type PoolConfig,
  type TargetConfig,
  type WebhookConfig,
} from './schema.ts';
export { flagName, SETTINGS } from './settings.ts';
