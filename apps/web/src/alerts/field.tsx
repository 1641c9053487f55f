import { type ReactNode, useEffect, useRef } from 'react';

/** What a labelled control needs to point at its hint and its error. */
export interface ControlProps {
  readonly id: string;
  readonly 'aria-describedby'?: string;
  readonly 'aria-invalid'?: true;
}

export interface FieldProps {
  readonly id: string;
  readonly label: ReactNode;
  readonly hint?: ReactNode;
  /** The server's reason for this field, shown next to it. */
  readonly error?: string | undefined;
  readonly children: (control: ControlProps) => ReactNode;
  readonly className?: string;
}

/** A label, a control, its hint and its error, wired for screen readers. */
export function Field({ id, label, hint, error, children, className }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true as const } : {}),
      })}
      {error && (
        <p id={errorId} className="field-error" data-testid={`field-error-${id}`}>
          {error}
        </p>
      )}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** The list of every error at the top of a form, each linking to its field. */
export function ErrorSummary({
  errors,
  labels,
  idOf,
}: {
  errors: Readonly<Record<string, string>>;
  labels: Readonly<Record<string, string>>;
  idOf: (field: string) => string | null;
}) {
  const entries = Object.entries(errors);
  const ref = useRef<HTMLDivElement>(null);
  const signature = JSON.stringify(entries);
  // A new set of errors takes the focus, so keyboard and screen-reader users start from the list.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `signature` stands for `errors`.
  useEffect(() => {
    if (entries.length > 0) ref.current?.focus();
  }, [signature]);
  if (entries.length === 0) return null;
  return (
    <div className="error-summary" role="alert" data-testid="form-errors" tabIndex={-1} ref={ref}>
      <strong>
        {entries.length === 1
          ? 'The server refused one field:'
          : `The server refused ${entries.length} fields:`}
      </strong>
      <ul>
        {entries.map(([field, reason]) => {
          const id = idOf(field);
          const name = labels[field] ?? field;
          return (
            <li key={field}>
              {id ? (
                <button
                  type="button"
                  className="link-button"
                  onClick={() => document.getElementById(id)?.focus()}
                >
                  {name}
                </button>
              ) : (
                name
              )}
              : {reason}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
