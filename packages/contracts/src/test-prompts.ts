import { z } from 'zod';
import { OutcomeSchema } from './outcomes.ts';
import { IsoTimeSchema } from './time.ts';

const ms = z.number().int().min(1).max(3_600_000);

/** `POST /api/test-prompts`: one generation fired by hand from the dashboard. */
export const TestPromptRequestSchema = z.strictObject({
  /** A target's name, or null to route like the relay does. */
  target: z.string().min(1).nullable().default(null),
  model: z.string().min(1, 'choose a model'),
  prompt: z.string().min(1, 'write a prompt').max(20_000, 'at most 20000 characters'),
  numPredict: z.number().int().min(1).max(4096).default(128),
  temperature: z.number().min(0).max(2).default(0.8),
  timeouts: z
    .strictObject({
      connectTimeoutMs: ms.optional(),
      firstByteTimeoutMs: ms.optional(),
      idleTimeoutMs: ms.optional(),
      totalTimeoutMs: ms.optional(),
    })
    .default({}),
});
export type TestPromptRequest = z.infer<typeof TestPromptRequestSchema>;
export type TestPromptRequestInput = z.input<typeof TestPromptRequestSchema>;

/** The timing breakdown of a finished run, in milliseconds; null where it does not apply. */
export const TestPromptTimingsSchema = z.object({
  /** Received -> last byte. */
  totalMs: z.number().nonnegative(),
  /** Received -> dispatched to a target (Lookout's queue). */
  queueWaitMs: z.number().nonnegative().nullable(),
  /** Received -> first generated token. */
  ttftMs: z.number().nonnegative().nullable(),
  tokensPerSec: z.number().nonnegative().nullable(),
  /** Ollama's own: scheduler wait + model load. */
  loadMs: z.number().nonnegative().nullable(),
  promptEvalMs: z.number().nonnegative().nullable(),
  evalMs: z.number().nonnegative().nullable(),
  promptEvalCount: z.number().int().nonnegative().nullable(),
  evalCount: z.number().int().nonnegative().nullable(),
});
export type TestPromptTimings = z.infer<typeof TestPromptTimingsSchema>;

/** A run as listed by `GET /api/test-prompts` (newest first) and answered by `POST`. */
export const TestPromptRunSchema = z.object({
  runId: z.string().min(1),
  startedAt: IsoTimeSchema,
  status: z.enum(['running', 'ok', 'failed']),
  /** The target that answered (or was asked), when known. */
  target: z.string().nullable(),
  model: z.string(),
  prompt: z.string(),
  numPredict: z.number().int(),
  temperature: z.number(),
  /** The generated text so far (whole once finished). */
  response: z.string(),
  timings: TestPromptTimingsSchema.nullable(),
  error: z
    .object({ outcome: OutcomeSchema.exclude(['ok']), code: z.string(), message: z.string() })
    .nullable(),
});
export type TestPromptRun = z.infer<typeof TestPromptRunSchema>;

export const TestPromptRunListSchema = z.object({ runs: z.array(TestPromptRunSchema) });
export type TestPromptRunList = z.infer<typeof TestPromptRunListSchema>;
