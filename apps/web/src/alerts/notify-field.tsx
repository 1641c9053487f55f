import type { Webhook } from '@lookout/contracts';
import { useState } from 'react';
import { Field } from './field.tsx';

export interface NotifyFieldProps {
  readonly id: string;
  readonly webhooks: readonly Webhook[];
  /** Webhook ids and URLs, as the rule's `notify`. */
  readonly value: readonly string[];
  readonly error: string | undefined;
  readonly onChange: (next: string[]) => void;
}

/** In `notify`: every webhook, whenever it was added. */
const ALL = '*';

/** Which webhooks a rule notifies: the known ones as checkboxes, any other URL typed one per line. */
export function NotifyField({ id, webhooks, value, error, onChange }: NotifyFieldProps) {
  const known = new Set([ALL, ...webhooks.map((w) => w.id)]);
  const [text, setText] = useState(() => value.filter((v) => !known.has(v)).join('\n'));
  const chosen = value.filter((v) => known.has(v));
  const urlsOf = (t: string) =>
    t
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
  const toggle = (webhookId: string, on: boolean) => {
    const next = on ? [...chosen, webhookId] : chosen.filter((v) => v !== webhookId);
    onChange([...next, ...urlsOf(text)]);
  };
  return (
    <fieldset className="notify">
      <legend>Notify</legend>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={chosen.includes(ALL)}
          onChange={(e) => toggle(ALL, e.target.checked)}
        />
        Every webhook <span className="muted small">(*)</span>
      </label>
      {webhooks.map((w) => (
        <label key={w.id} className="checkbox">
          <input
            type="checkbox"
            checked={chosen.includes(w.id)}
            onChange={(e) => toggle(w.id, e.target.checked)}
          />
          {w.name} <span className="muted small">({w.kind})</span>
        </label>
      ))}
      <Field id={id} label="Other webhook URLs, one per line" error={error}>
        {(p) => (
          <textarea
            {...p}
            rows={2}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              onChange([...chosen, ...urlsOf(e.target.value)]);
            }}
          />
        )}
      </Field>
    </fieldset>
  );
}
