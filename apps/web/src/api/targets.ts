import { LoadedModelSchema, TargetConcurrencySchema, TargetHealthSchema } from '@lookout/contracts';
import { z } from 'zod';

/**
 * `GET /api/targets`: the configured targets with their model lists and gate limits (the snapshot has
 * no model list; the test prompt form needs one). Not in the shared contracts yet, so checked here.
 */
export const TargetInfoSchema = z.object({
  name: z.string(),
  url: z.string(),
  health: TargetHealthSchema,
  version: z.string().nullable().optional(),
  lastProbeAt: z.string().nullable().optional(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
  models: z.array(z.string()),
  loadedModels: z.array(LoadedModelSchema),
  queueDepth: z.number(),
  inFlight: z.number(),
  limits: z.object({ maxConcurrent: z.number(), maxQueue: z.number(), queueTimeoutMs: z.number() }),
  /** How `limits.maxConcurrent` is set; absent from servers without adaptive concurrency. */
  concurrency: TargetConcurrencySchema.optional(),
  lastGenerationProbe: z
    .object({
      at: z.string(),
      model: z.string(),
      status: z.string(),
      ttftMs: z.number().optional(),
      totalMs: z.number().optional(),
      code: z.string().optional(),
      message: z.string().optional(),
    })
    .nullable()
    .optional(),
});
export type TargetInfo = z.infer<typeof TargetInfoSchema>;

export const TargetListSchema = z.object({ targets: z.array(TargetInfoSchema) });
export type TargetList = z.infer<typeof TargetListSchema>;

/** `PUT /api/targets/:name/concurrency`: the target's limit after the pin or unpin. */
export const ConcurrencyResponseSchema = z.object({ concurrency: TargetConcurrencySchema });
