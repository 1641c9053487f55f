/**
 * The scalar settings that can come from every source (file, env, flags). One table, so the env
 * variable, the flag and the file key of a setting can never drift apart.
 */

export type SettingKind = 'string' | 'port' | 'ms' | 'count' | 'bool' | 'list' | 'bytes';

export interface SettingSpec {
  /** Key in the config object and in `lookout.yaml`. */
  readonly key: ScalarKey;
  readonly env: string;
  readonly kind: SettingKind;
  readonly help: string;
}

export type ScalarKey =
  | 'host'
  | 'relayPort'
  | 'dashboardPort'
  | 'dataDir'
  | 'adminToken'
  | 'relayKeys'
  | 'metricsPublic'
  | 'connectTimeoutMs'
  | 'firstByteTimeoutMs'
  | 'idleTimeoutMs'
  | 'totalTimeoutMs'
  | 'maxConcurrent'
  | 'concurrency'
  | 'adaptiveMinConcurrent'
  | 'adaptiveMaxConcurrent'
  | 'maxQueue'
  | 'queueTimeoutMs'
  | 'maxRetries'
  | 'retryBaseDelayMs'
  | 'retryMaxDelayMs'
  | 'probeIntervalMs'
  | 'generationProbeIntervalMs'
  | 'maxBodyBytes'
  | 'historyRetentionDays'
  | 'drainTimeoutMs'
  | 'logLevel'
  | 'publicUrl';

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'host', env: 'LOOKOUT_HOST', kind: 'string', help: 'bind address of both listeners' },
  { key: 'relayPort', env: 'LOOKOUT_RELAY_PORT', kind: 'port', help: 'relay listener port' },
  { key: 'dashboardPort', env: 'LOOKOUT_DASHBOARD_PORT', kind: 'port', help: 'dashboard listener port' },
  { key: 'dataDir', env: 'LOOKOUT_DATA_DIR', kind: 'string', help: 'SQLite database and admin token' },
  { key: 'adminToken', env: 'LOOKOUT_ADMIN_TOKEN', kind: 'string', help: 'dashboard and admin API token' },
  { key: 'relayKeys', env: 'LOOKOUT_RELAY_KEYS', kind: 'list', help: 'bearer keys the relay accepts' },
  { key: 'metricsPublic', env: 'LOOKOUT_METRICS_PUBLIC', kind: 'bool', help: '/metrics without auth' },
  { key: 'connectTimeoutMs', env: 'LOOKOUT_CONNECT_TIMEOUT_MS', kind: 'ms', help: 'TCP connect' },
  {
    key: 'firstByteTimeoutMs',
    env: 'LOOKOUT_FIRST_BYTE_TIMEOUT_MS',
    kind: 'ms',
    help: 'request sent -> response headers',
  },
  { key: 'idleTimeoutMs', env: 'LOOKOUT_IDLE_TIMEOUT_MS', kind: 'ms', help: 'gap between two body chunks' },
  { key: 'totalTimeoutMs', env: 'LOOKOUT_TOTAL_TIMEOUT_MS', kind: 'ms', help: 'whole call, queue excluded' },
  { key: 'maxConcurrent', env: 'LOOKOUT_MAX_CONCURRENT', kind: 'count', help: 'calls in flight per target' },
  {
    key: 'concurrency',
    env: 'LOOKOUT_CONCURRENCY',
    kind: 'string',
    help: 'static (LOOKOUT_MAX_CONCURRENT) or adaptive (learned per target)',
  },
  {
    key: 'adaptiveMinConcurrent',
    env: 'LOOKOUT_ADAPTIVE_MIN_CONCURRENT',
    kind: 'count',
    help: 'lowest limit an adaptive target goes to',
  },
  {
    key: 'adaptiveMaxConcurrent',
    env: 'LOOKOUT_ADAPTIVE_MAX_CONCURRENT',
    kind: 'count',
    help: 'highest limit an adaptive target goes to',
  },
  { key: 'maxQueue', env: 'LOOKOUT_MAX_QUEUE', kind: 'count', help: 'calls waiting per target' },
  { key: 'queueTimeoutMs', env: 'LOOKOUT_QUEUE_TIMEOUT_MS', kind: 'ms', help: 'longest wait in the queue' },
  { key: 'maxRetries', env: 'LOOKOUT_MAX_RETRIES', kind: 'count', help: 'retries before the first byte' },
  { key: 'retryBaseDelayMs', env: 'LOOKOUT_RETRY_BASE_DELAY_MS', kind: 'ms', help: 'first backoff step' },
  { key: 'retryMaxDelayMs', env: 'LOOKOUT_RETRY_MAX_DELAY_MS', kind: 'ms', help: 'backoff cap' },
  { key: 'probeIntervalMs', env: 'LOOKOUT_PROBE_INTERVAL_MS', kind: 'ms', help: 'health probe period' },
  {
    key: 'generationProbeIntervalMs',
    env: 'LOOKOUT_GENERATION_PROBE_INTERVAL_MS',
    kind: 'ms',
    help: 'generation (TTFT) probe period; 0 turns it off',
  },
  { key: 'maxBodyBytes', env: 'LOOKOUT_MAX_BODY_BYTES', kind: 'bytes', help: 'largest request body' },
  {
    key: 'historyRetentionDays',
    env: 'LOOKOUT_HISTORY_RETENTION_DAYS',
    kind: 'count',
    help: 'days of per-minute history kept',
  },
  {
    key: 'drainTimeoutMs',
    env: 'LOOKOUT_DRAIN_TIMEOUT_MS',
    kind: 'ms',
    help: 'at SIGTERM, how long calls in progress may run before they are ended',
  },
  { key: 'logLevel', env: 'LOOKOUT_LOG_LEVEL', kind: 'string', help: 'error, warn, info or debug' },
  {
    key: 'publicUrl',
    env: 'LOOKOUT_PUBLIC_URL',
    kind: 'string',
    help: 'dashboard address used in alert notification links',
  },
];

/** `LOOKOUT_RELAY_PORT` -> `--relay-port`. */
export function flagName(spec: { env: string }): string {
  return `--${spec.env
    .replace(/^LOOKOUT_/, '')
    .toLowerCase()
    .replaceAll('_', '-')}`;
}

export type ParseResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** Parses one textual value (from env or a flag) by the setting's kind. */
export function parseText(kind: SettingKind, raw: string): ParseResult {
  const text = raw.trim();
  switch (kind) {
    case 'string':
      return text === '' ? { ok: false, reason: 'must not be empty' } : { ok: true, value: text };
    case 'list':
      return {
        ok: true,
        value: text
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      };
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(text)) return { ok: true, value: true };
      if (/^(0|false|no|off)$/i.test(text)) return { ok: true, value: false };
      return { ok: false, reason: `expected true/false or 1/0, got "${raw}"` };
    case 'port':
    case 'ms':
    case 'count':
    case 'bytes': {
      if (!/^\d+$/.test(text)) return { ok: false, reason: `expected a whole number, got "${raw}"` };
      return { ok: true, value: Number(text) };
    }
  }
}
