/**
 * Background calls through the relay while the dashboard is measured: a Poisson stream of streamed
 * chat, OpenAI-style chat and embeddings over several models, so every live update moves the numbers
 * and the lines of the charts.
 */

export interface TrafficOptions {
  readonly relayUrl: string;
  readonly chatModels: readonly string[];
  readonly embedModel: string;
  /** Mean calls per second. */
  readonly callsPerSec: number;
  /** Calls in flight at most; a call due while this many are open is skipped (counted). */
  readonly maxInFlight?: number;
}

export interface TrafficCounts {
  sent: number;
  ok: number;
  failed: number;
  skipped: number;
}

export interface Traffic {
  readonly counts: TrafficCounts;
  /** Stops scheduling and aborts the calls in flight. */
  stop(): void;
}

export function startTraffic(options: TrafficOptions): Traffic {
  const counts: TrafficCounts = { sent: 0, ok: 0, failed: 0, skipped: 0 };
  const inFlight = new Set<AbortController>();
  const maxInFlight = options.maxInFlight ?? 32;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let turn = 0;

  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

  const bodyOf = (kind: number): { path: string; body: unknown } => {
    if (kind === 0) {
      return {
        path: '/api/chat',
        body: {
          model: pick(options.chatModels),
          messages: [{ role: 'user', content: 'Tell me about the sea.' }],
          stream: true,
          options: { num_predict: 16 + Math.floor(Math.random() * 48) },
        },
      };
    }
    if (kind === 1) {
      return {
        path: '/v1/chat/completions',
        body: {
          model: pick(options.chatModels),
          messages: [{ role: 'user', content: 'Summarise this.' }],
          max_tokens: 8 + Math.floor(Math.random() * 24),
        },
      };
    }
    return { path: '/api/embed', body: { model: options.embedModel, input: ['a short document'] } };
  };

  const one = async (): Promise<void> => {
    if (inFlight.size >= maxInFlight) {
      counts.skipped++;
      return;
    }
    const controller = new AbortController();
    inFlight.add(controller);
    counts.sent++;
    // Half streamed chat, a quarter OpenAI-style chat, a quarter embeddings.
    const { path, body } = bodyOf([0, 1, 0, 2][turn++ % 4]!);
    try {
      const response = await fetch(`${options.relayUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'lookout-web-bench' },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      await response.arrayBuffer();
      if (response.ok) counts.ok++;
      else counts.failed++;
    } catch {
      if (!controller.signal.aborted) counts.failed++;
    } finally {
      inFlight.delete(controller);
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    const gapMs = (-Math.log(1 - Math.random()) / options.callsPerSec) * 1000;
    timer = setTimeout(() => {
      void one();
      schedule();
    }, gapMs);
  };
  schedule();

  return {
    counts,
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const controller of inFlight) controller.abort();
      inFlight.clear();
    },
  };
}
