import type { ConcurrencyChange, Snapshot, TargetConcurrency } from '@lookout/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { isApiError } from '../api/client.ts';
import { pinConcurrency } from '../api/endpoints.ts';
import { queryKeys } from '../api/queries.ts';
import { formatClock, formatCount, formatDateTime, formatMs } from '../core/format.ts';
import { newestFirst, reasonText, unpinOutcome, withConcurrency } from './concurrency-bits.ts';
import { Num } from './stats-block.tsx';

/** Highest limit the server accepts for a pin. */
const MAX_PIN = 1024;

function modeSentence(c: TargetConcurrency): string {
  switch (c.mode) {
    case 'static':
      return "Fixed by the configuration (LOOKOUT_MAX_CONCURRENT, or this target's limit in lookout.yaml).";
    case 'adaptive':
      return c.minLimit !== undefined && c.maxLimit !== undefined
        ? `Learned from how long calls wait inside the target, between ${c.minLimit} and ${c.maxLimit}.`
        : 'Learned from how long calls wait inside the target.';
    case 'pinned':
      return `Held by hand. ${unpinOutcome(c)}`;
  }
}

/**
 * A target's concurrency limit: how it is set, what an adaptive limit learned, its recent changes, and
 * a control to pin it by hand (or unpin it). The answer of a pin goes into the snapshot at once; the
 * live feed confirms it within a second.
 */
export function ConcurrencyPanel({
  target,
  concurrency,
}: {
  target: string;
  concurrency: TargetConcurrency;
}) {
  const { mode, limit } = concurrency;
  const learned = mode === 'adaptive' || concurrency.baselineMs !== null || concurrency.lastSampleMs !== null;
  return (
    <section
      className="card concurrency-panel"
      aria-labelledby="concurrency-heading"
      data-testid={`concurrency-panel-${target}`}
      data-mode={mode}
      data-limit={limit}
    >
      <h2 id="concurrency-heading">
        Concurrency{' '}
        <span className={`badge mode-badge mode-${mode}`} data-testid="concurrency-mode">
          {mode}
        </span>
      </h2>
      <p className="muted small">{modeSentence(concurrency)}</p>
      <dl className="figures concurrency-figures">
        <div>
          <dt>Limit</dt>
          <dd>
            <Num value={limit} text={formatCount(limit)} testId="concurrency-limit" />
          </dd>
        </div>
        {concurrency.minLimit !== undefined && concurrency.maxLimit !== undefined && (
          <div>
            <dt title="the adaptive limit stays within these">Bounds</dt>
            <dd>
              <span className="num" data-testid="concurrency-bounds">
                {concurrency.minLimit}–{concurrency.maxLimit}
              </span>
            </dd>
          </div>
        )}
        {learned && (
          <>
            <div>
              <dt title="learned no-load time at the target that Ollama's reported work (load, prompt eval, generation) does not explain; waiting inside Ollama shows above it">
                Baseline
              </dt>
              <dd>
                <Num
                  value={concurrency.baselineMs}
                  text={concurrency.baselineMs === null ? 'learning' : formatMs(concurrency.baselineMs)}
                  testId="concurrency-baseline"
                />
              </dd>
            </div>
            <div>
              <dt title="the latest such unexplained time at the target">Last sample</dt>
              <dd>
                <Num
                  value={concurrency.lastSampleMs}
                  text={formatMs(concurrency.lastSampleMs)}
                  testId="concurrency-last-sample"
                />
              </dd>
            </div>
          </>
        )}
      </dl>
      <ChangeList changes={concurrency.changes} />
      <PinForm target={target} concurrency={concurrency} />
    </section>
  );
}

/** Changes shown before "Show all": enough to see the last few moves without a long card. */
const CHANGES_SHOWN = 6;

function ChangeList({ changes }: { changes: readonly ConcurrencyChange[] }) {
  const [showAll, setShowAll] = useState(false);
  if (changes.length === 0) {
    return (
      <>
        <h3 className="limit-changes-heading">Recent changes</h3>
        <p className="muted small">No change since the server started.</p>
      </>
    );
  }
  const all = newestFirst(changes);
  const shown = showAll ? all : all.slice(0, CHANGES_SHOWN);
  return (
    <>
      <h3 className="limit-changes-heading">Recent changes</h3>
      <ol
        className="limit-changes"
        data-testid="concurrency-changes"
        aria-label="Limit changes, newest first"
      >
        {shown.map((c) => (
          <li key={`${c.at} ${c.from} ${c.to} ${c.reason}`} data-reason={c.reason}>
            <time dateTime={c.at} title={formatDateTime(c.at)} className="num">
              {formatClock(c.at)}
            </time>
            <span className="num limit-step">
              {c.from} → {c.to}
            </span>
            <span className="limit-reason" title={c.reason}>
              {reasonText(c.reason)}
            </span>
          </li>
        ))}
      </ol>
      {all.length > CHANGES_SHOWN && (
        <button
          type="button"
          className="link-button small"
          aria-expanded={showAll}
          onClick={() => setShowAll(!showAll)}
        >
          {showAll ? 'Show fewer' : `Show all ${all.length}`}
        </button>
      )}
    </>
  );
}

function PinForm({ target, concurrency }: { target: string; concurrency: TargetConcurrency }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const inputId = useId();
  // null: the field follows the current limit until the operator types.
  const [draft, setDraft] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: (pin: number | null) => pinConcurrency(api, target, pin),
    onSuccess: (answer) => {
      setDraft(null);
      queryClient.setQueryData<Snapshot>(queryKeys.snapshot, (s) => s && withConcurrency(s, target, answer));
      void queryClient.invalidateQueries({ queryKey: queryKeys.targets });
    },
  });
  const value = draft ?? String(concurrency.limit);
  const error = mutation.error;
  const fieldError = isApiError(error) ? error.fields.pin : undefined;
  const otherError = error && fieldError === undefined ? error.message : undefined;
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Sent as typed: the server names what is wrong with 0, 2.5 or 5000.
    mutation.mutate(Number(value));
  };
  return (
    <form className="pin-form" onSubmit={submit} noValidate data-testid="pin-form">
      <label htmlFor={inputId}>Pin the limit at</label>
      <div className="pin-row">
        <input
          id={inputId}
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_PIN}
          step={1}
          value={value}
          onChange={(e) => setDraft(e.target.value)}
          aria-describedby={fieldError ? `${errorId} ${hintId}` : hintId}
          {...(fieldError ? { 'aria-invalid': true } : {})}
          data-testid="pin-input"
        />
        <button
          type="submit"
          className="button primary"
          disabled={mutation.isPending || value.trim() === ''}
          data-testid="pin-submit"
        >
          Pin
        </button>
        {concurrency.mode === 'pinned' && (
          <button
            type="button"
            className="button"
            disabled={mutation.isPending}
            onClick={() => mutation.mutate(null)}
            data-testid="unpin"
          >
            Unpin
          </button>
        )}
      </div>
      {fieldError && (
        <p id={errorId} className="field-error" role="alert" data-testid="pin-error">
          {fieldError}
        </p>
      )}
      {otherError && (
        <p className="field-error" role="alert" data-testid="pin-error">
          {otherError}
        </p>
      )}
      <p id={hintId} className="field-hint">
        1 to {MAX_PIN} calls at once; a pin is kept across restarts until unpinned.
      </p>
    </form>
  );
}
