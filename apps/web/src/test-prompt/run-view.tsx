import type { TestPromptRun, TestPromptTimings } from '@lookout/contracts';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../api/api-context.tsx';
import { testPromptRunQuery } from '../api/queries.ts';
import { formatCount, formatDateTime, formatMs, formatTokensPerSec } from '../core/format.ts';
import { mergeRun } from '../core/test-prompt-streams.ts';
import { useLive, useStore } from '../live/live-context.tsx';

const noVersion = { get: () => 0, subscribe: () => () => {} };

/** One run: its text as it streams in, then its timing breakdown or its error. */
export function RunView({ runId }: { runId: string }) {
  const api = useApi();
  const live = useLive();
  useStore(live?.streams.version ?? noVersion);
  const query = useQuery({
    ...testPromptRunQuery(api, runId),
    // Without the socket, the stored run still fills in.
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 2_000 : false),
  });
  if (query.isPending) return <p className="muted">Loading the run…</p>;
  if (query.isError) return <p className="field-error">This run is not available: {query.error.message}</p>;
  const run = mergeRun(query.data, live?.streams.get(runId));
  return (
    <article
      className="run"
      data-testid="test-prompt-run"
      data-status={run.status}
      aria-labelledby="run-heading"
    >
      <h2 id="run-heading">
        {run.model}
        <span className="muted"> {run.target ? `on ${run.target}` : 'routed like the relay'}</span>
      </h2>
      <p className="muted small">
        Started {formatDateTime(run.startedAt)} · num_predict {run.numPredict} · temperature {run.temperature}
      </p>
      <blockquote className="run-prompt">{run.prompt}</blockquote>
      {(run.response !== '' || run.status === 'running') && (
        <section
          className="run-output"
          data-testid="test-prompt-output"
          aria-busy={run.status === 'running'}
          aria-label="Answer"
        >
          {run.response ||
            (run.status === 'running' ? <span className="muted">Waiting for the first token…</span> : null)}
          {run.status === 'running' && <span className="cursor" aria-hidden="true" />}
        </section>
      )}
      <div role="status" aria-live="polite" className="run-status">
        {run.status === 'running' && <span className="muted">Generating…</span>}
        {run.status === 'ok' && run.timings && <Timings timings={run.timings} />}
        {run.status === 'failed' && run.error && (
          <div className="run-error" data-testid="test-prompt-error" data-code={run.error.code}>
            <strong>Failed:</strong> <code>{run.error.code}</code> ({run.error.outcome.replace(/_/g, ' ')}){' '}
            {run.error.message}
          </div>
        )}
      </div>
    </article>
  );
}

function Timings({ timings: t }: { timings: TestPromptTimings }) {
  const rows: [string, string, string, number | null][] = [
    ['queue-wait', 'Queue wait', formatMs(t.queueWaitMs), t.queueWaitMs],
    ['ttft', 'Time to first token', formatMs(t.ttftMs), t.ttftMs],
    ['tokens-per-sec', 'Tokens/s', formatTokensPerSec(t.tokensPerSec), t.tokensPerSec],
    ['total', 'Total', formatMs(t.totalMs), t.totalMs],
    ['load', 'Ollama load', formatMs(t.loadMs), t.loadMs],
    [
      'prompt-eval',
      `Prompt eval (${formatCount(t.promptEvalCount)} tokens)`,
      formatMs(t.promptEvalMs),
      t.promptEvalMs,
    ],
    ['eval', `Eval (${formatCount(t.evalCount)} tokens)`, formatMs(t.evalMs), t.evalMs],
  ];
  return (
    <dl className="timings" data-testid="test-prompt-timings">
      {rows.map(([key, label, text, value]) => (
        <div key={key}>
          <dt>{label}</dt>
          <dd className="num" data-testid={`timing-${key}`} data-value={value === null ? '' : String(value)}>
            {text}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function statusText(run: TestPromptRun): string {
  if (run.status === 'running') return 'running';
  if (run.status === 'ok') return run.timings ? formatMs(run.timings.totalMs) : 'ok';
  return run.error?.code ?? 'failed';
}
