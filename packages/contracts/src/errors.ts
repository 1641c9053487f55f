import { z } from 'zod';

/** The body of every REST error: `{"error": {"code", "message", "fields"?}}`, never a stack. */
export const ApiErrorSchema = z.object({
  error: z.object({
    code: z.string().min(1),
    message: z.string(),
    /** For invalid input: the field's dotted path -> what is wrong with it. */
    fields: z.record(z.string(), z.string()).optional(),
  }),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** Result of validating untrusted input: the parsed value, or an error value ready for a 400 body. */
export type Validated<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ApiError['error'] };

/**
 * Field path -> first message for that field, from a zod error. Unknown keys are reported under their
 * own name. Example: `{ "threshold": "threshold must be between 0 and 1 for error_rate" }`.
 */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    const keys =
      issue.code === 'unrecognized_keys' ? issue.keys.map((k) => (base ? `${base}.${k}` : k)) : [base];
    for (const key of keys) {
      const name = key === '' ? '_' : key;
      if (!(name in fields)) fields[name] = issue.message;
    }
  }
  return fields;
}

/** Validates `input` with `schema`; on failure the error names every bad field. */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  code = 'invalid_input',
): Validated<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const fields = fieldErrors(result.error);
  const message = Object.values(fields).join('; ');
  return { ok: false, error: { code, message, fields } };
}

/**
 * An input as it appears in an error message: JSON, cut to `maxChars`. Never throws, whatever the
 * input (a BigInt or a cycle makes `JSON.stringify` throw, which inside a zod error map would turn a
 * validation failure into an exception).
 */
export function shown(input: unknown, maxChars = 100): string {
  let text: string;
  try {
    text = JSON.stringify(input) ?? String(input);
  } catch {
    text = typeof input === 'bigint' ? `${input}n` : Object.prototype.toString.call(input);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}...` : text;
}
