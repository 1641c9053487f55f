/**
 * A background traffic generator for the demo: a steady mix of what applications send (streamed chat,
 * non-streamed generate, embeddings, the odd impatient client that leaves), at a few calls a second.
 */

export interface TrafficOptions {
  relayUrl: string;
  chatModels: string[];
  embedModel: string;
  /** Mean calls per second. */
  ratePerSec: number;
  random?: () => number;
}

export interface TrafficStats {
  sent: number;
  ok: number;
  failed: number;
  abandoned: number;
}

export class TrafficGenerator {
  readonly stats: TrafficStats = { sent: 0, ok: 0, failed: 0, abandoned: 0 };
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<AbortController>();
  private readonly random: () => number;

  constructor(private readonly options: TrafficOptions) {
    this.random = options.random ?? Math.random;
  }

  start(): void {
    const schedule = (): void => {
      // Exponential gaps: a Poisson stream of calls, bursty the way real traffic is.
      const gapMs = (-Math.log(1 - this.random()) / this.options.ratePerSec) * 1000;
      this.timer = setTimeout(() => {
        void this.one();
        schedule();
      }, gapMs);
    };
    schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private async one(): Promise<void> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    this.stats.sent++;
    const roll = this.random();
    // One caller in twenty gives up after a second, as clients with short timeouts do.
    const impatient = this.random() < 0.05;
    const giveUp = impatient ? setTimeout(() => controller.abort(), 1_000) : undefined;
    try {
      let res: Response;
      if (roll < 0.5) {
        res = await this.post(
          '/api/chat',
          {
            model: this.pick(this.options.chatModels),
            messages: [{ role: 'user', content: 'Tell me about the sea.' }],
            stream: true,
            options: { num_predict: 16 + Math.floor(this.random() * 48) },
          },
          controller.signal,
        );
      } else if (roll < 0.75) {
        res = await this.post(
          '/v1/chat/completions',
          {
            model: this.pick(this.options.chatModels),
            messages: [{ role: 'user', content: 'Summarise this.' }],
            max_tokens: 8 + Math.floor(this.random() * 24),
          },
          controller.signal,
        );
      } else {
        res = await this.post(
          '/api/embed',
          {
            model: this.options.embedModel,
            input: ['a short document', 'another one'],
          },
          controller.signal,
        );
      }
      await res.arrayBuffer();
      if (res.ok) this.stats.ok++;
      else this.stats.failed++;
    } catch {
      if (controller.signal.aborted) this.stats.abandoned++;
      else this.stats.failed++;
    } finally {
      clearTimeout(giveUp);
      this.inFlight.delete(controller);
    }
  }

  private post(path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    return fetch(`${this.options.relayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'lookout-demo-traffic' },
      body: JSON.stringify(body),
      signal,
    });
  }
}
