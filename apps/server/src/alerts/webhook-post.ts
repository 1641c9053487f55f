import type { WebhookTarget } from './webhook-table.ts';

/** How one POST to a webhook went. */
export type AttemptResult =
  | { readonly ok: true; readonly httpStatus: number }
  | {
      readonly ok: false;
      /** `http_status` (non-2xx answer), `timeout`, `network_error`, or `stopped` (the notifier is stopping). */
      readonly code: 'http_status' | 'timeout' | 'network_error' | 'stopped';
      readonly message: string;
      readonly httpStatus: number | null;
      /** Worth trying again: no answer, 408, 429 or 5xx. */
      readonly retriable: boolean;
      /** From a `Retry-After` header, when the receiver sent one. */
      readonly retryAfterMs: number | null;
    };

export interface PostOptions {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  /** Aborts the attempt when the notifier stops. */
  readonly stop: AbortSignal;
}

const BODY_EXCERPT_CHARS = 300;

/** POSTs `payload` (JSON) to the webhook, once; never throws. The timeout covers the answer's body too. */
export async function postWebhook(
  webhook: WebhookTarget,
  payload: string,
  options: PostOptions,
): Promise<AttemptResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onStop = () => controller.abort();
  options.stop.addEventListener('abort', onStop, { once: true });
  try {
    if (options.stop.aborted) return stopped();
    const response = await options.fetch(webhook.url, {
      method: 'POST',
      headers: { ...webhook.headers, 'content-type': 'application/json', 'user-agent': 'lookout-alerts' },
      body: payload,
      signal: controller.signal,
    });
    const excerpt = await readExcerpt(response);
    if (response.ok) return { ok: true, httpStatus: response.status };
    const status = response.status;
    return {
      ok: false,
      code: 'http_status',
      message: `POST ${redact(webhook.url)} answered ${status}${excerpt ? `: ${excerpt}` : ''}`,
      httpStatus: status,
      retriable: status === 408 || status === 429 || status >= 500,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
    };
  } catch (error) {
    if (timedOut) {
      return {
        ok: false,
        code: 'timeout',
        message: `POST ${redact(webhook.url)} got no answer within ${options.timeoutMs} ms`,
        httpStatus: null,
        retriable: true,
        retryAfterMs: null,
      };
    }
    if (options.stop.aborted) return stopped();
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    return {
      ok: false,
      code: 'network_error',
      message: `POST ${redact(webhook.url)} failed: ${detail}`,
      httpStatus: null,
      retriable: true,
      retryAfterMs: null,
    };
  } finally {
    clearTimeout(timer);
    options.stop.removeEventListener('abort', onStop);
  }
}

function stopped(): AttemptResult {
  return {
    ok: false,
    code: 'stopped',
    message: 'the notifier stopped',
    httpStatus: null,
    retriable: true,
    retryAfterMs: null,
  };
}

/** The start of the answer's body (receivers such as Slack say what was wrong there); the rest is discarded. */
async function readExcerpt(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < BODY_EXCERPT_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks)).trim();
  return text.slice(0, BODY_EXCERPT_CHARS).replace(/\s+/g, ' ');
}

/** `Retry-After` in seconds or as an HTTP date. */
function retryAfterMs(header: string | null): number | null {
  if (header === null) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** A webhook URL without its path and query (Slack's carries the secret in the path). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname === '/' && u.search === '' ? u.origin : `${u.origin}/...`;
  } catch {
    return '(invalid URL)';
  }
}
