import type { HistoryMetric, HistoryRange } from '@lookout/contracts';
import {
  AlertEventPageSchema,
  AlertStateListSchema,
  HISTORY_STEP_MS,
  HistoryResponseSchema,
  RuleListSchema,
  SilenceListSchema,
  SnapshotSchema,
  TestPromptRunListSchema,
  TestPromptRunSchema,
  WebhookListSchema,
} from '@lookout/contracts';
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import type { ApiClient } from './client.ts';
import { TargetListSchema } from './targets.ts';

/** Every query key of the app, in one place (the live connection writes into some of them). */
export const queryKeys = {
  snapshot: ['snapshot'] as const,
  targets: ['targets'] as const,
  history: (q: HistoryParams) => ['history', q.target, q.model, q.metric, q.range] as const,
  rules: ['rules'] as const,
  alertStates: ['alerts', 'states'] as const,
  alertEventsAll: ['alerts', 'events'] as const,
  alertEvents: (filter: AlertEventFilter) => ['alerts', 'events', filter] as const,
  silences: ['silences'] as const,
  webhooks: ['webhooks'] as const,
  testPromptRuns: ['test-prompts'] as const,
  testPromptRun: (runId: string) => ['test-prompts', 'run', runId] as const,
};

export interface HistoryParams {
  readonly target: string;
  readonly model: string;
  readonly metric: HistoryMetric;
  readonly range: HistoryRange;
}

export interface AlertEventFilter {
  readonly rule?: string;
  readonly target?: string;
  readonly model?: string;
}

/** The fleet now. The live connection keeps it current (its `staleTime` is for the REST fallback). */
export function snapshotQuery(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.snapshot,
    queryFn: () => api.get('/api/snapshot', SnapshotSchema),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Targets with their model lists (refreshed as probes find new models). */
export function targetsQuery(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.targets,
    queryFn: () => api.get('/api/targets', TargetListSchema),
    staleTime: 10_000,
    refetchInterval: 30_000,
  });
}

/** One chart's points over hours or days; refreshed once per bucket. */
export function historyQuery(api: ApiClient, q: HistoryParams) {
  const search = new URLSearchParams({ target: q.target, model: q.model, metric: q.metric, range: q.range });
  return queryOptions({
    queryKey: queryKeys.history(q),
    queryFn: () => api.get(`/api/history?${search}`, HistoryResponseSchema),
    staleTime: HISTORY_STEP_MS[q.range] / 2,
    refetchInterval: HISTORY_STEP_MS[q.range],
  });
}

export function rulesQuery(api: ApiClient) {
  return queryOptions({ queryKey: queryKeys.rules, queryFn: () => api.get('/api/rules', RuleListSchema) });
}

export function alertStatesQuery(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.alertStates,
    queryFn: () => api.get('/api/alerts/states', AlertStateListSchema),
  });
}

export const ALERT_EVENT_PAGE_SIZE = 50;

/** The event log, newest first, a page at a time (the live connection invalidates it on each transition). */
export function alertEventsQuery(api: ApiClient, filter: AlertEventFilter = {}) {
  return infiniteQueryOptions({
    queryKey: queryKeys.alertEvents(filter),
    queryFn: ({ pageParam }) => {
      const search = new URLSearchParams({ limit: String(ALERT_EVENT_PAGE_SIZE) });
      if (pageParam) search.set('before', pageParam);
      for (const key of ['rule', 'target', 'model'] as const) {
        const value = filter[key];
        if (value !== undefined) search.set(key, value);
      }
      return api.get(`/api/alerts?${search}`, AlertEventPageSchema);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextBefore,
  });
}

export function silencesQuery(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.silences,
    queryFn: () => api.get('/api/silences', SilenceListSchema),
  });
}

export function webhooksQuery(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.webhooks,
    queryFn: () => api.get('/api/webhooks', WebhookListSchema),
  });
}

export function testPromptRunsQuery(api: ApiClient) {
  return queryOptions({
    queryKey: queryKeys.testPromptRuns,
    queryFn: () => api.get('/api/test-prompts', TestPromptRunListSchema),
  });
}

export function testPromptRunQuery(api: ApiClient, runId: string) {
  return queryOptions({
    queryKey: queryKeys.testPromptRun(runId),
    queryFn: () => api.get(`/api/test-prompts/${encodeURIComponent(runId)}`, TestPromptRunSchema),
  });
}
