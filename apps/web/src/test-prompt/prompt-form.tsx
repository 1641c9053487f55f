import type { TestPromptRequestInput, TestPromptRun } from '@lookout/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Field } from '../alerts/field.tsx';
import { useApi } from '../api/api-context.tsx';
import { isApiError } from '../api/client.ts';
import { startTestPrompt } from '../api/endpoints.ts';
import { targetsQuery } from '../api/queries.ts';
import type { TargetInfo } from '../api/targets.ts';

/** The sentinel for "route like the relay" in the target picker (the request sends `target: null`). */
const ROUTE = '';

const TIMEOUTS = [
  { key: 'connectTimeoutMs', label: 'Connect' },
  { key: 'firstByteTimeoutMs', label: 'First byte' },
  { key: 'idleTimeoutMs', label: 'Idle' },
  { key: 'totalTimeoutMs', label: 'Total' },
] as const;
type TimeoutKey = (typeof TIMEOUTS)[number]['key'];

/** The models a target serves; for routing, every model some target serves. */
export function modelsFor(targets: readonly TargetInfo[], target: string): string[] {
  const chosen = target === ROUTE ? targets : targets.filter((t) => t.name === target);
  return [...new Set(chosen.flatMap((t) => t.models))].sort();
}

/** The first model that can generate (embedding models cannot), else the first. */
export function defaultModel(models: readonly string[]): string {
  return models.find((m) => !/embed/i.test(m)) ?? models[0] ?? '';
}

/** Fires a test prompt; the run then streams in over the WebSocket. */
export function PromptForm({ onStarted }: { onStarted: (run: TestPromptRun) => void }) {
  const api = useApi();
  const base = useId();
  const targets = useQuery(targetsQuery(api)).data?.targets ?? [];
  const [target, setTarget] = useState(ROUTE);
  const [model, setModel] = useState('');
  const [prompt, setPrompt] = useState('Why is the sky blue? Answer in two sentences.');
  const [numPredict, setNumPredict] = useState('128');
  const [temperature, setTemperature] = useState('0.8');
  const [timeouts, setTimeouts] = useState<Record<TimeoutKey, string>>({
    connectTimeoutMs: '',
    firstByteTimeoutMs: '',
    idleTimeoutMs: '',
    totalTimeoutMs: '',
  });
  const models = modelsFor(targets, target);
  const chosenModel = models.includes(model) ? model : defaultModel(models);
  const mutation = useMutation({
    mutationFn: (request: TestPromptRequestInput) => startTestPrompt(api, request),
    onSuccess: onStarted,
  });
  const fields = isApiError(mutation.error) ? mutation.error.fields : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const chosenTimeouts: Partial<Record<TimeoutKey, number>> = {};
    for (const { key } of TIMEOUTS) {
      if (timeouts[key].trim() !== '') chosenTimeouts[key] = Number(timeouts[key]);
    }
    mutation.mutate({
      target: target === ROUTE ? null : target,
      model: chosenModel,
      prompt,
      numPredict: Number(numPredict),
      temperature: Number(temperature),
      timeouts: chosenTimeouts,
    });
  };
  return (
    <form className="form" onSubmit={submit} data-testid="test-prompt-form" noValidate>
      <div className="field-row">
        <Field id={`${base}-target`} label="Target" error={fields.target}>
          {(p) => (
            <select
              {...p}
              value={target}
              onChange={(e) => setTarget(e.target.value)}
              data-testid="test-prompt-target"
            >
              <option value={ROUTE}>Route like the relay</option>
              {targets.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name} ({t.health})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id={`${base}-model`} label="Model" error={fields.model}>
          {(p) => (
            <select
              {...p}
              value={chosenModel}
              onChange={(e) => setModel(e.target.value)}
              data-testid="test-prompt-model"
              disabled={models.length === 0}
            >
              {models.length === 0 && <option value="">no model known</option>}
              {models.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <Field id={`${base}-prompt`} label="Prompt" error={fields.prompt}>
        {(p) => (
          <textarea
            {...p}
            rows={4}
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            data-testid="test-prompt-prompt"
          />
        )}
      </Field>
      <div className="field-row">
        <Field
          id={`${base}-num-predict`}
          label="num_predict"
          error={fields.numPredict}
          hint="tokens at most, 1–4096"
        >
          {(p) => (
            <span className="input-unit">
              <input
                {...p}
                type="number"
                min={1}
                max={4096}
                value={numPredict}
                onChange={(e) => setNumPredict(e.target.value)}
              />
              <span className="unit">tokens</span>
            </span>
          )}
        </Field>
        <Field id={`${base}-temperature`} label="Temperature" error={fields.temperature} hint="0–2">
          {(p) => (
            <input
              {...p}
              type="number"
              min={0}
              max={2}
              step={0.1}
              value={temperature}
              onChange={(e) => setTemperature(e.target.value)}
            />
          )}
        </Field>
      </div>
      <details className="timeouts-details">
        <summary>Timeouts (default: the target’s)</summary>
        <div className="field-row">
          {TIMEOUTS.map(({ key, label }) => (
            <Field key={key} id={`${base}-${key}`} label={label} error={fields[`timeouts.${key}`]}>
              {(p) => (
                <span className="input-unit">
                  <input
                    {...p}
                    type="number"
                    min={1}
                    placeholder="default"
                    value={timeouts[key]}
                    onChange={(e) => setTimeouts((t) => ({ ...t, [key]: e.target.value }))}
                  />
                  <span className="unit">ms</span>
                </span>
              )}
            </Field>
          ))}
        </div>
      </details>
      {mutation.error && (
        <p className="field-error" role="alert">
          {isApiError(mutation.error)
            ? `${mutation.error.code}: ${mutation.error.message}`
            : mutation.error.message}
        </p>
      )}
      <div className="form-actions">
        <button
          type="submit"
          className="button primary"
          disabled={mutation.isPending}
          data-testid="test-prompt-send"
        >
          {mutation.isPending ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
