import { type GoDecodeError, goDecode, goValueKind, parseGoDuration } from './go-json.ts';

/** How a field of an Ollama request struct decodes (the Go type it has). */
type FieldType =
  | 'string'
  | 'bool'
  | 'int'
  | 'float'
  | 'map'
  | 'raw'
  | 'duration'
  | 'messages'
  | 'strings'
  | 'ints'
  | 'think'
  | 'tools'
  | 'oaMessages'
  | 'streamOptions';

const GO_TYPE_NAMES: Record<FieldType, string> = {
  string: 'string',
  bool: 'bool',
  int: 'int',
  map: 'map[string]interface {}',
  raw: 'json.RawMessage',
  duration: 'api.Duration',
  messages: '[]api.Message',
  strings: '[]api.ImageData',
  ints: '[]int',
  think: 'api.ThinkValue',
  tools: 'api.Tools',
  float: 'float64',
  oaMessages: '[]openai.Message',
  streamOptions: 'openai.StreamOptions',
};

export interface RequestSchema {
  struct: string;
  fields: Record<string, FieldType>;
}

const common = { model: 'string', keep_alive: 'duration', options: 'map' } as const;

export const SCHEMAS = {
  generate: {
    struct: 'GenerateRequest',
    fields: {
      ...common,
      prompt: 'string',
      suffix: 'string',
      system: 'string',
      template: 'string',
      context: 'ints',
      stream: 'bool',
      raw: 'bool',
      format: 'raw',
      images: 'strings',
      think: 'think',
      truncate: 'bool',
      shift: 'bool',
    },
  },
  chat: {
    struct: 'ChatRequest',
    fields: {
      ...common,
      messages: 'messages',
      stream: 'bool',
      format: 'raw',
      tools: 'tools',
      think: 'think',
      truncate: 'bool',
      shift: 'bool',
    },
  },
  embed: { struct: 'EmbedRequest', fields: { ...common, input: 'raw', truncate: 'bool', dimensions: 'int' } },
  embeddings: { struct: 'EmbeddingRequest', fields: { ...common, prompt: 'string' } },
  show: {
    struct: 'ShowRequest',
    fields: {
      model: 'string',
      name: 'string',
      system: 'string',
      template: 'string',
      verbose: 'bool',
      options: 'map',
    },
  },
  pull: {
    struct: 'PullRequest',
    fields: {
      model: 'string',
      name: 'string',
      insecure: 'bool',
      username: 'string',
      password: 'string',
      stream: 'bool',
    },
  },
  delete: { struct: 'DeleteRequest', fields: { model: 'string', name: 'string' } },
  copy: { struct: 'CopyRequest', fields: { source: 'string', destination: 'string' } },
  openaiChat: {
    struct: 'ChatCompletionRequest',
    fields: {
      model: 'string',
      messages: 'oaMessages',
      stream: 'bool',
      stream_options: 'streamOptions',
      max_tokens: 'int',
      seed: 'int',
      temperature: 'float',
      top_p: 'float',
      tools: 'tools',
    },
  },
  openaiCompletion: {
    struct: 'CompletionRequest',
    fields: {
      model: 'string',
      prompt: 'string',
      stream: 'bool',
      stream_options: 'streamOptions',
      max_tokens: 'int',
      seed: 'int',
      suffix: 'string',
      temperature: 'float',
      top_p: 'float',
    },
  },
  openaiEmbed: {
    struct: 'EmbedRequest',
    fields: { model: 'string', input: 'raw', dimensions: 'int', encoding_format: 'string' },
  },
} satisfies Record<string, RequestSchema>;

/** Decoded request fields under their canonical names; absent or null fields are left out. */
export type DecodedFields = Record<string, unknown>;

export type DecodeResult = { ok: true; fields: DecodedFields } | { ok: false; error: GoDecodeError };

function matchesType(type: FieldType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number';
    case 'map':
    case 'streamOptions':
      return typeof value === 'object' && !Array.isArray(value);
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' || v === null);
    case 'ints':
      return (
        Array.isArray(value) &&
        value.every((v) => (typeof v === 'number' && Number.isInteger(v)) || v === null)
      );
    case 'tools':
    case 'oaMessages':
      return Array.isArray(value);
    default:
      return true;
  }
}

/** Errors a custom UnmarshalJSON returns: they stop the decoder at once, unlike type mismatches. */
function customUnmarshal(
  type: FieldType,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; message: string } {
  if (type === 'duration') {
    if (typeof value === 'number')
      return { ok: true, value: value < 0 ? Number.POSITIVE_INFINITY : value * 1000 };
    if (typeof value === 'string') {
      const parsed = parseGoDuration(value);
      if (!parsed.ok) return parsed;
      return { ok: true, value: parsed.ms < 0 ? Number.POSITIVE_INFINITY : parsed.ms };
    }
    const goType =
      typeof value === 'boolean'
        ? 'bool'
        : Array.isArray(value)
          ? '[]interface {}'
          : 'map[string]interface {}';
    return { ok: false, message: `Unsupported type: '${goType}'` };
  }
  if (typeof value === 'boolean') return { ok: true, value };
  if (typeof value === 'string') {
    if (['high', 'medium', 'low'].includes(value)) return { ok: true, value };
    return {
      ok: false,
      message: `invalid think value: ${JSON.stringify(value)} (must be "high", "medium", "low", true, or false)`,
    };
  }
  return {
    ok: false,
    message: 'think must be a boolean or string ("high", "medium", "low", true, or false)',
  };
}

function messagesTypeError(value: unknown[], struct: string): string | undefined {
  for (const message of value) {
    if (message === null) continue;
    if (typeof message !== 'object' || Array.isArray(message)) {
      return `json: cannot unmarshal ${goValueKind(message)} into Go struct field ${struct}.messages of type api.Message`;
    }
    for (const [key, v] of Object.entries(message)) {
      const field = ['role', 'content', 'thinking', 'tool_name'].find((f) => f === key.toLowerCase());
      if (field && v !== null && typeof v !== 'string') {
        return `json: cannot unmarshal ${goValueKind(v)} into Go struct field Message.messages.${field} of type string`;
      }
    }
  }
  return undefined;
}

/** Decodes `text` into the fields of `schema` with the errors Go's decoder gives (keys match case-insensitively). */
export function decodeRequest(text: string, schema: RequestSchema): DecodeResult {
  const decoded = goDecode(text);
  if (!decoded.ok) return decoded;
  const { value } = decoded;
  if (value === null) return { ok: true, fields: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    const message = `json: cannot unmarshal ${goValueKind(value)} into Go value of type api.${schema.struct}`;
    return { ok: false, error: { code: 'type', message } };
  }
  const fields: DecodedFields = {};
  let firstTypeError: string | undefined;
  for (const [rawKey, fieldValue] of Object.entries(value)) {
    const name =
      rawKey in schema.fields
        ? rawKey
        : Object.keys(schema.fields).find((k) => k.toLowerCase() === rawKey.toLowerCase());
    if (name === undefined) continue;
    const type = schema.fields[name] as FieldType;
    if (fieldValue === null) {
      delete fields[name];
      continue;
    }
    if (type === 'duration' || type === 'think') {
      const result = customUnmarshal(type, fieldValue);
      if (!result.ok) return { ok: false, error: { code: 'type', message: result.message } };
      fields[name] = result.value;
      continue;
    }
    if (type === 'messages') {
      if (!Array.isArray(fieldValue)) {
        firstTypeError ??= `json: cannot unmarshal ${goValueKind(fieldValue)} into Go struct field ${schema.struct}.messages of type []api.Message`;
        continue;
      }
      const error = messagesTypeError(fieldValue, schema.struct);
      if (error) {
        firstTypeError ??= error;
        continue;
      }
    } else if (!matchesType(type, fieldValue)) {
      firstTypeError ??= `json: cannot unmarshal ${goValueKind(fieldValue)} into Go struct field ${schema.struct}.${name} of type ${GO_TYPE_NAMES[type]}`;
      continue;
    }
    fields[name] = fieldValue;
  }
  if (firstTypeError !== undefined) return { ok: false, error: { code: 'type', message: firstTypeError } };
  return { ok: true, fields };
}
