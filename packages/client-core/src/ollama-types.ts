/** Request and response shapes of Ollama's native API, field names as on the wire. */

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  function: { name: string; arguments: Record<string, unknown> };
}

export interface Tool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface Message {
  role: Role | (string & {});
  content: string;
  thinking?: string;
  images?: string[];
  tool_calls?: ToolCall[];
  tool_name?: string;
}

/** Model options (`num_ctx`, `temperature`, ...); any other key Ollama knows passes through. */
export interface ModelOptions {
  num_ctx?: number;
  num_predict?: number;
  temperature?: number;
  top_k?: number;
  top_p?: number;
  seed?: number;
  stop?: string[];
  [key: string]: unknown;
}

interface RequestBase {
  model: string;
  /** Seconds as a number, a Go duration string (`"5m"`), negative = forever, 0 = unload. */
  keep_alive?: string | number;
  options?: ModelOptions;
  format?: 'json' | Record<string, unknown>;
  think?: boolean | 'low' | 'medium' | 'high';
}

export interface GenerateRequest extends RequestBase {
  prompt?: string;
  suffix?: string;
  system?: string;
  template?: string;
  context?: number[];
  raw?: boolean;
  images?: string[];
  stream?: boolean;
}

export interface ChatRequest extends RequestBase {
  messages?: Message[];
  tools?: Tool[];
  stream?: boolean;
}

export interface EmbedRequest {
  model: string;
  input: string | string[];
  truncate?: boolean;
  dimensions?: number;
  keep_alive?: string | number;
  options?: ModelOptions;
}

export interface ShowRequest {
  model: string;
  verbose?: boolean;
}

export interface PullRequest {
  model: string;
  insecure?: boolean;
  stream?: boolean;
}

/** Metrics of a final frame; durations in nanoseconds, omitted when zero. */
export interface FinalMetrics {
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

export interface GenerateResponse extends FinalMetrics {
  model: string;
  created_at: string;
  response: string;
  thinking?: string;
  done: boolean;
  done_reason?: string;
  context?: number[];
}

export interface ChatResponse extends FinalMetrics {
  model: string;
  created_at: string;
  message: Message;
  done: boolean;
  done_reason?: string;
}

export interface EmbedResponse {
  model: string;
  embeddings: number[][];
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
}

export interface ModelDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[] | null;
  parameter_size: string;
  quantization_level: string;
}

export interface ModelEntry {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  details: ModelDetails;
}

export interface ListResponse {
  models: ModelEntry[];
}

export interface RunningModel {
  name: string;
  model: string;
  size: number;
  digest: string;
  details: ModelDetails;
  expires_at: string;
  /** Bytes in VRAM: below `size` means partial GPU offload, 0 means CPU only. */
  size_vram: number;
  context_length?: number;
}

export interface PsResponse {
  models: RunningModel[];
}

export interface ShowResponse {
  modelfile?: string;
  parameters?: string;
  template?: string;
  system?: string;
  license?: string;
  details: ModelDetails;
  model_info?: Record<string, unknown>;
  capabilities?: string[];
  modified_at?: string;
}

export interface VersionResponse {
  version: string;
}

export interface ProgressResponse {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}
