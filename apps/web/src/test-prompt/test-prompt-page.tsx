import type { TestPromptRun } from '@lookout/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { queryKeys } from '../api/queries.ts';
import { routeHref } from '../core/route.ts';
import { PromptForm } from './prompt-form.tsx';
import { RunList } from './run-list.tsx';
import { RunView } from './run-view.tsx';

/** Test prompt: fire a generation by hand, watch it stream, read its timing breakdown. */
export default function TestPromptPage({ runId }: { runId: string | undefined }) {
  const queryClient = useQueryClient();
  const started = (run: TestPromptRun) => {
    queryClient.setQueryData(queryKeys.testPromptRun(run.runId), run);
    void queryClient.invalidateQueries({ queryKey: queryKeys.testPromptRuns, exact: true });
    window.location.hash = routeHref({ page: 'test-prompt', runId: run.runId }).slice(1);
  };
  return (
    <>
      <div className="page-head">
        <h1>Test prompt</h1>
        <p className="muted">
          Runs go through the same queue and timeouts as the relay, counted apart from application traffic.
        </p>
      </div>
      <div className="two-col">
        <section className="card" aria-labelledby="prompt-heading">
          <h2 id="prompt-heading">Prompt</h2>
          <PromptForm onStarted={started} />
        </section>
        <section className="card" aria-label="Run">
          {runId ? <RunView runId={runId} /> : <p className="muted">The answer streams in here.</p>}
        </section>
      </div>
      <section className="card" aria-labelledby="runs-heading">
        <h2 id="runs-heading">Earlier runs</h2>
        <RunList current={runId} />
      </section>
    </>
  );
}
