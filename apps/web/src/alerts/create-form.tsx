import { useMutation } from '@tanstack/react-query';
import type { FormEvent, ReactNode } from 'react';
import { isApiError } from '../api/client.ts';

/** A form that creates one thing: the request, the server's errors by field, and the submit handler. */
export function useCreateForm(create: () => Promise<unknown>, onCreated: () => void) {
  const mutation = useMutation({ mutationFn: create, onSuccess: onCreated });
  const fields: Record<string, string> = isApiError(mutation.error) ? mutation.error.fields : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return { mutation, fields, submit };
}

export type CreateFormState = ReturnType<typeof useCreateForm>;

/** The frame of such a form: title, the fields, an error that names no field, and the submit button. */
export function CreateForm({
  form,
  title,
  submitLabel,
  testId,
  children,
}: {
  readonly form: CreateFormState;
  readonly title: string;
  readonly submitLabel: string;
  readonly testId: string;
  readonly children: ReactNode;
}) {
  const { mutation, fields, submit } = form;
  return (
    <form className="form card inset-form" onSubmit={submit} data-testid={testId} noValidate>
      <h3>{title}</h3>
      {children}
      {mutation.error && Object.keys(fields).length === 0 && (
        <p className="field-error">{mutation.error.message}</p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={mutation.isPending}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
