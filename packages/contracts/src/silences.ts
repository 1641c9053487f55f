import { z } from 'zod';
import { shown } from './errors.ts';
import { IsoTimeSchema } from './time.ts';

const scopeName = (field: string) =>
  z
    .string({ error: `${field} must be "*" or a name` })
    .min(1, { error: `${field} must be "*" or a name, not empty` })
    .max(200, { error: `${field} must be at most 200 characters` });

/** Which of a rule's alerts a silence mutes: `*` matches every target (or model). */
export const SilenceScopeSchema = z.strictObject(
  { target: scopeName('scope.target').default('*'), model: scopeName('scope.model').default('*') },
  { error: 'scope must be an object {target, model}' },
);
export type SilenceScope = z.infer<typeof SilenceScopeSchema>;

/**
 * Mutes the notifications (firing pages and repeats) of a rule, or of some of its scopes, until a
 * time. Alerts are still evaluated, stored and shown; an alert that was paged still gets its resolved
 * message, so no page is left open.
 */
export const SilenceSchema = z.object({
  id: z.string().min(1),
  ruleId: z.string().min(1),
  scope: z.object({ target: z.string(), model: z.string() }),
  until: IsoTimeSchema,
  reason: z.string(),
  createdAt: IsoTimeSchema,
  /** `until` is still ahead. */
  active: z.boolean(),
});
export type Silence = z.infer<typeof SilenceSchema>;

/** A silence as the dashboard creates or replaces it (`POST /api/silences`, `PUT /api/silences/:id`). */
export const SilenceDraftSchema = z.strictObject(
  {
    ruleId: z
      .string({ error: 'ruleId must be a rule id' })
      .min(1, { error: 'ruleId must not be empty' })
      .max(100, { error: 'ruleId must be at most 100 characters' }),
    scope: SilenceScopeSchema.default({ target: '*', model: '*' }),
    until: z.iso.datetime({
      offset: true,
      error: (issue) =>
        issue.input === undefined
          ? 'until is required'
          : `until must be an ISO time like 2025-11-22T18:00:00Z; got ${shown(issue.input)}`,
    }),
    reason: z
      .string({ error: 'reason must be a string' })
      .trim()
      .min(1, { error: 'reason must not be empty: say why the alert is muted' })
      .max(500, { error: 'reason must be at most 500 characters' }),
  },
  {
    error: (issue: { code?: string; keys?: readonly string[] }) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')} in silence`
        : 'silence must be an object',
  },
);
export type SilenceDraftInput = z.input<typeof SilenceDraftSchema>;
export type SilenceDraft = z.infer<typeof SilenceDraftSchema>;
