import { WebhookHeadersSchema, WebhookKindSchema } from '@lookout/contracts';
import { z } from 'zod';

/** Budgets a target or a model can override; absent fields inherit. */
const timeoutOverrides = {
  connectTimeoutMs: z.number().int().min(1).max(3_600_000).optional(),
  firstByteTimeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  idleTimeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  totalTimeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  maxRetries: z.number().int().min(0).max(10).optional(),
};

const modelOverridesSchema = z.strictObject({ ...timeoutOverrides });

const targetNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'use letters, digits, ".", "_" or "-" (at most 63)');

const targetUrlSchema = z
  .string()
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.pathname.replace(/\/+$/, '') === '';
    } catch {
      return false;
    }
  }, 'expected an http(s) URL with no path, like http://127.0.0.1:11434')
  .transform((s) => new URL(s).origin);

/** The tiny generation that measures a target's time to first token. */
const generationProbeSchema = z.strictObject({
  enabled: z.boolean().optional(),
  /** Model to probe; default: the first generation model already loaded. */
  model: z.string().min(1).optional(),
  prompt: z.string().min(1).max(2000).optional(),
  intervalMs: z.number().int().min(1000).max(86_400_000).optional(),
  /** Probe `model` even when it is not loaded (this loads it, and keeps it loaded). */
  loadModel: z.boolean().optional(),
});

const concurrencyLimit = z.number().int().min(1).max(1024);

/**
 * A target's concurrency: `static` (its `maxConcurrent`), `adaptive` (learned between the global
 * bounds), or `{ mode: adaptive, min, max }` with bounds of its own.
 */
const targetConcurrencySchema = z.union([
  z.enum(['static', 'adaptive']),
  z.strictObject({
    mode: z.literal('adaptive'),
    min: concurrencyLimit.optional(),
    max: concurrencyLimit.optional(),
  }),
]);

export const targetSchema = z.strictObject({
  name: targetNameSchema,
  url: targetUrlSchema,
  maxConcurrent: z.number().int().min(1).max(1024).optional(),
  concurrency: targetConcurrencySchema.optional(),
  maxQueue: z.number().int().min(0).max(100_000).optional(),
  queueTimeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  ...timeoutOverrides,
  /** Per-model overrides on this target (override the global `models` entry). */
  models: z.record(z.string().min(1), modelOverridesSchema).optional(),
  generationProbe: generationProbeSchema.optional(),
});

/** A pool keeps some models on some targets (e.g. embeddings apart from chat). */
export const poolSchema = z.strictObject({
  name: z.string().min(1),
  /** Model name patterns; `*` matches any run of characters, e.g. `*embed*`. */
  models: z.array(z.string().min(1)).min(1),
  targets: z.array(targetNameSchema).min(1),
});

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** A notification webhook from `lookout.yaml` (rules name it by `id` in `notify`). */
export const webhookConfigSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'use letters, digits, ".", "_" or "-" (at most 63)'),
  name: z.string().min(1).max(200).optional(),
  url: z.string().refine(isHttpUrl, 'expected an http(s) URL'),
  kind: WebhookKindSchema.default('json'),
  headers: WebhookHeadersSchema.optional(),
});

const publicUrlSchema = z
  .string()
  .refine(
    isHttpUrl,
    'expected the http(s) address people open the dashboard at, like https://lookout.example.com',
  )
  .transform((s) => s.replace(/\/+$/, ''));

export const configSchema = z
  .strictObject({
    host: z.string().min(1),
    relayPort: z.number().int().min(0).max(65_535),
    dashboardPort: z.number().int().min(0).max(65_535),
    dataDir: z.string().min(1),
    adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
    relayKeys: z.array(z.string().min(8, 'each key must be at least 8 characters')),
    metricsPublic: z.boolean(),
    connectTimeoutMs: z.number().int().min(1).max(3_600_000),
    firstByteTimeoutMs: z.number().int().min(1).max(86_400_000),
    idleTimeoutMs: z.number().int().min(1).max(86_400_000),
    totalTimeoutMs: z.number().int().min(1).max(86_400_000),
    maxConcurrent: z.number().int().min(1).max(1024),
    concurrency: z.enum(['static', 'adaptive'], {
      error: (issue) => `must be static or adaptive, got ${JSON.stringify(issue.input)}`,
    }),
    adaptiveMinConcurrent: concurrencyLimit,
    adaptiveMaxConcurrent: concurrencyLimit,
    maxQueue: z.number().int().min(0).max(100_000),
    queueTimeoutMs: z.number().int().min(1).max(86_400_000),
    maxRetries: z.number().int().min(0).max(10),
    retryBaseDelayMs: z.number().int().min(1).max(60_000),
    retryMaxDelayMs: z.number().int().min(1).max(600_000),
    probeIntervalMs: z.number().int().min(500).max(3_600_000),
    generationProbeIntervalMs: z.number().int().min(0).max(86_400_000),
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024),
    historyRetentionDays: z.number().int().min(1).max(3650),
    drainTimeoutMs: z.number().int().min(0).max(3_600_000),
    logLevel: z.enum(['error', 'warn', 'info', 'debug']),
    targets: z.array(targetSchema).min(1, 'at least one target is needed'),
    /** Per-model overrides on every target. */
    models: z.record(z.string().min(1), modelOverridesSchema),
    pools: z.array(poolSchema),
    /** Where notifications link to; default: the dashboard listener's address. */
    publicUrl: publicUrlSchema.optional(),
    /** Alert notification webhooks (more can be added in the dashboard). */
    webhooks: z.array(webhookConfigSchema),
  })
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    c.targets.forEach((t, i) => {
      if (names.has(t.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'name'],
          message: `duplicate target "${t.name}"`,
        });
      }
      names.add(t.name);
    });
    c.pools.forEach((p, i) => {
      p.targets.forEach((name, j) => {
        if (!names.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['pools', i, 'targets', j],
            message: `unknown target "${name}"`,
          });
        }
      });
    });
    const webhookIds = new Set<string>();
    c.webhooks.forEach((w, i) => {
      if (webhookIds.has(w.id)) {
        ctx.addIssue({ code: 'custom', path: ['webhooks', i, 'id'], message: `duplicate webhook "${w.id}"` });
      }
      webhookIds.add(w.id);
    });
    if (c.retryMaxDelayMs < c.retryBaseDelayMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['retryMaxDelayMs'],
        message: `must be >= retryBaseDelayMs (${c.retryBaseDelayMs})`,
      });
    }
    if (c.adaptiveMaxConcurrent < c.adaptiveMinConcurrent) {
      ctx.addIssue({
        code: 'custom',
        path: ['adaptiveMaxConcurrent'],
        message: `must be >= adaptiveMinConcurrent (${c.adaptiveMinConcurrent})`,
      });
    }
    c.targets.forEach((t, i) => {
      const own = typeof t.concurrency === 'object' ? t.concurrency : undefined;
      const min = own?.min ?? c.adaptiveMinConcurrent;
      const max = own?.max ?? c.adaptiveMaxConcurrent;
      if (own && max < min) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'concurrency', own.max === undefined ? 'min' : 'max'],
          message: `the adaptive bounds cross: min ${min} > max ${max}`,
        });
      }
    });
    if (c.relayPort !== 0 && c.relayPort === c.dashboardPort) {
      ctx.addIssue({ code: 'custom', path: ['dashboardPort'], message: 'must differ from relayPort' });
    }
  });

export type LookoutConfig = z.infer<typeof configSchema>;
export type TargetConfig = LookoutConfig['targets'][number];
export type PoolConfig = LookoutConfig['pools'][number];
export type ModelOverrides = z.infer<typeof modelOverridesSchema>;
export type GenerationProbeConfig = z.infer<typeof generationProbeSchema>;
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

export const DEFAULTS = {
  host: '127.0.0.1',
  relayPort: 11435,
  dashboardPort: 11436,
  dataDir: './data',
  relayKeys: [] as string[],
  metricsPublic: false,
  connectTimeoutMs: 5_000,
  firstByteTimeoutMs: 120_000,
  idleTimeoutMs: 30_000,
  totalTimeoutMs: 600_000,
  maxConcurrent: 4,
  concurrency: 'static',
  adaptiveMinConcurrent: 1,
  adaptiveMaxConcurrent: 16,
  maxQueue: 64,
  queueTimeoutMs: 30_000,
  maxRetries: 2,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 2_000,
  probeIntervalMs: 10_000,
  generationProbeIntervalMs: 30_000,
  maxBodyBytes: 32 * 1024 * 1024,
  historyRetentionDays: 7,
  drainTimeoutMs: 25_000,
  logLevel: 'info',
  targets: [{ name: 'local', url: 'http://127.0.0.1:11434' }],
  models: {},
  pools: [],
  webhooks: [],
} as const;
