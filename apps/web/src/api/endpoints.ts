import type {
  Rule,
  RuleDraftInput,
  SilenceDraftInput,
  TargetConcurrency,
  TestPromptRequestInput,
  WebhookDraftInput,
} from '@lookout/contracts';
import {
  DeliveryResponseSchema,
  RuleResponseSchema,
  SilenceResponseSchema,
  TestPromptRunSchema,
  WebhookResponseSchema,
} from '@lookout/contracts';
import { z } from 'zod';
import type { ApiClient } from './client.ts';
import { ConcurrencyResponseSchema } from './targets.ts';

/** The calls that change something; reads are in `queries.ts`. */

export function signIn(api: ApiClient, token: string): Promise<unknown> {
  return api.send('POST', '/api/session', { token }, z.unknown());
}

export function signOut(api: ApiClient): Promise<void> {
  return api.sendNoContent('DELETE', '/api/session');
}

const path = (base: string, id: string) => `${base}/${encodeURIComponent(id)}`;

/** Creates a rule (no `id`) or replaces one. */
export async function saveRule(api: ApiClient, id: string | null, draft: RuleDraftInput): Promise<Rule> {
  const answer =
    id === null
      ? await api.send('POST', '/api/rules', draft, RuleResponseSchema)
      : await api.send('PUT', path('/api/rules', id), draft, RuleResponseSchema);
  return answer.rule;
}

export function deleteRule(api: ApiClient, id: string): Promise<void> {
  return api.sendNoContent('DELETE', path('/api/rules', id));
}

export async function createSilence(api: ApiClient, draft: SilenceDraftInput) {
  return (await api.send('POST', '/api/silences', draft, SilenceResponseSchema)).silence;
}

export function deleteSilence(api: ApiClient, id: string): Promise<void> {
  return api.sendNoContent('DELETE', path('/api/silences', id));
}

export async function createWebhook(api: ApiClient, draft: WebhookDraftInput) {
  return (await api.send('POST', '/api/webhooks', draft, WebhookResponseSchema)).webhook;
}

export function deleteWebhook(api: ApiClient, id: string): Promise<void> {
  return api.sendNoContent('DELETE', path('/api/webhooks', id));
}

export async function testWebhook(api: ApiClient, id: string) {
  return (await api.send('POST', `${path('/api/webhooks', id)}/test`, undefined, DeliveryResponseSchema))
    .delivery;
}

/**
 * Holds a target's concurrency limit at `pin` (kept across restarts), or with `null` hands it back to
 * the configured mode. A value the server refuses comes back as an `ApiError` with `fields.pin`.
 */
export async function pinConcurrency(
  api: ApiClient,
  target: string,
  pin: number | null,
): Promise<TargetConcurrency> {
  const answer = await api.send(
    'PUT',
    `${path('/api/targets', target)}/concurrency`,
    { pin },
    ConcurrencyResponseSchema,
  );
  return answer.concurrency;
}

/** Starts a run; its tokens arrive on the WebSocket. */
export function startTestPrompt(api: ApiClient, request: TestPromptRequestInput) {
  return api.send('POST', '/api/test-prompts', request, TestPromptRunSchema);
}
